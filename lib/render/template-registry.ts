import { Inject, Injectable } from '@nestjs/common';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { join, sep } from 'node:path';
import hbs from 'hbs';
import { RtTemplateError } from '../errors.js';
import { PLUTO_RT_CONFIG } from '../pluto-rt.constants.js';
import type { PlutoRtConfig } from '../options/pluto-rt-config.js';
import { templateNameProblem } from './template-name.js';

export type ItemTemplate = (context: { item: unknown }) => string;

/**
 * Item templates: `.hbs` files inside `templatesDir`, compiled once with the app's hbs
 * instance (so its helpers and partials work in them). A name must obey the pluto_rt
 * rule and resolve, symlinks followed, inside the folder.
 */
@Injectable()
export class TemplateRegistry {
  private readonly compiled = new Map<string, ItemTemplate>();
  private rootReal?: string;

  constructor(@Inject(PLUTO_RT_CONFIG) private readonly config: PlutoRtConfig) {}

  /** The compiled template, or RtTemplateError. */
  get(name: string): ItemTemplate {
    const cached = this.compiled.get(name);
    if (cached) return cached;
    const template = hbs.handlebars.compile(
      readFileSync(this.resolve(name), 'utf8'),
    ) as ItemTemplate;
    this.compiled.set(name, template);
    return template;
  }

  /** Throws RtTemplateError unless `name` is an allowed, existing template. */
  assertUsable(name: string): void {
    this.get(name);
  }

  private resolve(name: string): string {
    const problem = templateNameProblem(name);
    if (problem) throw new RtTemplateError('invalid', String(name), problem);
    const file = join(this.config.templatesDir, name.endsWith('.hbs') ? name : `${name}.hbs`);
    if (!existsSync(file))
      throw new RtTemplateError('unknown', name, `no such file in the templates folder`);
    this.rootReal ??= realpathSync(this.config.templatesDir);
    const real = realpathSync(file);
    if (!real.startsWith(this.rootReal + sep)) {
      throw new RtTemplateError('invalid', name, 'it resolves outside the templates folder');
    }
    return real;
  }
}
