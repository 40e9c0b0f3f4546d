import { Injectable, Logger } from '@nestjs/common';
import type { RtEntry } from '../store/rt-entry.js';
import { TemplateRegistry } from './template-registry.js';

/** Turns entries into HTML, once per entry and template however many streams show it. */
@Injectable()
export class ItemRenderer {
  private readonly logger = new Logger('PlutoRt');
  private readonly failedTemplates = new Set<string>();

  constructor(private readonly templates: TemplateRegistry) {}

  render(entry: RtEntry, templateName: string): string {
    return entry.remember(`html:${templateName}`, () => {
      const template = this.templates.get(templateName);
      try {
        // Templates end with a newline; sent, it would be an empty `data:` line per item.
        return template({ item: entry.item }).trimEnd();
      } catch (err) {
        // A broken template must not end the stream; say it once, not per item.
        if (!this.failedTemplates.has(templateName)) {
          this.failedTemplates.add(templateName);
          this.logger.error(`Item template ${templateName} failed: ${(err as Error).message}`);
        }
        return '<!-- pluto-rt: the item template failed -->';
      }
    });
  }
}
