/**
 * Writes a ruleset's text line by line and keeps, for every rule line, the `Rule` that explains it
 * (its line number, what it is for, whether the transfers need it). Every dialect uses it, so
 * `RuleSet.rules` always points at the lines of `RuleSet.text`.
 */
import type { Rule } from './types';

export class RuleSetWriter {
  private readonly lines: string[] = [];
  readonly rules: Rule[] = [];

  /** A line that is not a rule: a comment, a declaration, a brace. */
  line(text = ''): this {
    this.lines.push(text);
    return this;
  }

  /** A rule line, written with `indent` before it. */
  rule(indent: string, text: string, meta: Omit<Rule, 'text' | 'line'>): this {
    this.lines.push(`${indent}${text}`);
    this.rules.push({ text, line: this.lines.length, ...meta });
    return this;
  }

  text(): string {
    return `${this.lines.join('\n')}\n`;
  }
}
