import type { Report } from './build';
export function renderHtml(report: Report): string {
  return `${report.sessions.length}`;
}
