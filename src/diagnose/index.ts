/** Findings derived from a finished session, one module per family of findings. */
import type { FtpSession } from '../model';
import type { Finding } from '../types';
import { diagnoseDataChannels } from './data-channels';

export function diagnoseSession(session: FtpSession): Finding[] {
  const findings: Finding[] = [];
  findings.push(...diagnoseDataChannels(session));
  if (session.gapBytes > 0) {
    findings.push({
      code: 'capture-gap',
      severity: 'warning',
      frame: null,
      message: `${session.gapBytes} bytes of the control connection are missing from the capture: commands or replies in them are lost`,
    });
  }
  if (session.control.midstream) {
    findings.push({
      code: 'capture-started-midstream',
      severity: 'info',
      frame: session.control.first.ref,
      message: 'the control connection began before the capture: its start (and perhaps the login) is not in it',
    });
  }
  return findings;
}
