import { Inject, Injectable } from '@nestjs/common';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import hbs from 'hbs';
import { RtTemplateError } from '../errors.js';
import { PLUTO_RT_CONFIG } from '../pluto-rt.constants.js';
import type { PlutoRtConfig } from '../options/pluto-rt-config.js';
import { templateNameProblem } from './template-name.js';

export type ItemTemplate = (context: { item: unknown }) => string;

/** How often, outside production, a template's file is checked for an edit. */
const EDIT_CHECK_MS = 1_000;

interface Compiled {
  template: ItemTemplate;
  file: string;
  mtimeMs: number;
  checkedAt: number;
}

/**
 * Item templates: `.hbs` files inside `templatesDir`, compiled with the app's hbs instance
 * (so its helpers and partials work in them). A name must obey the pluto_rt rule and
 * resolve, symlinks followed, inside the folder. As Express does with page views, a template
 * is compiled once in production (NODE_ENV=production), and elsewhere compiled again when
 * its file changes (checked at most once a second: a development server sees edits).
 */
@Injectable()
export class TemplateRegistry {
  private readonly compiled = new Map<string, Compiled>();
  private readonly seesEdits = process.env.NODE_ENV !== 'production';
  private rootReal?: string;

  constructor(@Inject(PLUTO_RT_CONFIG) private readonly config: PlutoRtConfig) {}

  /** The compiled template, or RtTemplateError. */
  get(name: string): ItemTemplate {
    const cached = this.compiled.get(name);
    if (cached && !this.edited(cached)) return cached.template;
    const file = cached?.file ?? this.resolve(name);
    const mtimeMs = statSync(file).mtimeMs;
    const template = hbs.handlebars.compile(readFileSync(file, 'utf8')) as ItemTemplate;
    this.compiled.set(name, { template, file, mtimeMs, checkedAt: Date.now() });
    return template;
  }

  /** Throws RtTemplateError unless `name` is an allowed, existing template. */
  assertUsable(name: string): void {
    this.get(name);
  }

  private edited(cached: Compiled): boolean {
    if (!this.seesEdits) return false;
    const now = Date.now();
    if (now - cached.checkedAt < EDIT_CHECK_MS) return false;
    cached.checkedAt = now;
    try {
      return statSync(cached.file).mtimeMs !== cached.mtimeMs;
    } catch {
      return false; // deleted or being replaced: keep serving what was compiled
    }
  }

  private resolve(name: string): string {
    const problem = templateNameProblem(name);
    if (problem) throw new RtTemplateError('invalid', String(name), problem);
    const { templatesDir } = this.config;
    const file = join(templatesDir, name.endsWith('.hbs') ? name : `${name}.hbs`);
    if (!existsSync(file))
      throw new RtTemplateError(
        'unknown',
        name,
        `no such file in the templates folder ${templatesDir}`,
      );
    this.rootReal ??= realpathSync(templatesDir);
    const real = realpathSync(file);
    if (!real.startsWith(this.rootReal + sep)) {
      throw new RtTemplateError('invalid', name, 'it resolves outside the templates folder');
    }
    return real;
  }
}
