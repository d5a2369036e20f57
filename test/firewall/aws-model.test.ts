/**
 * The AWS sets against the EC2 API's own model: every IpPermissions list is validated by botocore
 * (the library under the aws command line) as the `IpPermissions` parameter of
 * AuthorizeSecurityGroupIngress, the same check `aws ec2 authorize-security-group-ingress
 * --ip-permissions file://…` makes before it sends anything: member names, types, required fields.
 * Nothing is sent anywhere. Skipped where Python's botocore is not installed (Debian: python3-botocore).
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { renderAws } from '../../src/firewall/dialects/aws';
import { plans } from './plans';

/** The first Python that has botocore: the one on PATH (pip), or Debian's (apt-get install python3-botocore). */
const python = ['python3', '/usr/bin/python3'].find((p) => spawnSync(p, ['-c', 'import botocore.session, botocore.validate']).status === 0);
const available = python !== undefined;

/** Reads [{name, permissions}] on stdin, prints one line per case: its name and botocore's report (empty when valid). */
const validator = `
import json, sys
import botocore.session, botocore.validate
model = botocore.session.get_session().get_service_model('ec2').operation_model('AuthorizeSecurityGroupIngress')
validator = botocore.validate.ParamValidator()
for case in json.load(sys.stdin):
    report = validator.validate({'GroupId': 'sg-0123456789abcdef0', 'IpPermissions': case['permissions']}, model.input_shape)
    print(json.dumps({'name': case['name'], 'errors': report.generate_report() if report.has_errors() else ''}))
`;

function validate(cases: Array<{ name: string; permissions: unknown }>): Array<{ name: string; errors: string }> {
  const run = spawnSync(python as string, ['-c', validator], { input: JSON.stringify(cases), encoding: 'utf8' });
  if (run.status !== 0) throw new Error(run.stderr);
  return run.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { name: string; errors: string });
}

describe.skipIf(!available)('AWS IpPermissions against the EC2 API model', () => {
  test('every plan, server and client side', () => {
    const cases = Object.entries(plans).flatMap(([planName, p]) =>
      (['server', 'client'] as const).map((side) => ({ name: `${planName} ${side}`, permissions: JSON.parse(renderAws(p, side, null).text) as unknown[] })),
    );
    const nonEmpty = cases.filter((c) => (c.permissions as unknown[]).length > 0);
    expect(nonEmpty.length).toBeGreaterThan(10);
    for (const result of validate(nonEmpty)) expect(result.errors, result.name).toBe('');
  });

  test('and reports a wrong one, so the check above means something', () => {
    const [result] = validate([{ name: 'broken', permissions: [{ IpProtocol: 'tcp', FromPort: '21', ToPort: 21, IpRanges: [{ Cidr: '0.0.0.0/0' }] }] }]);
    expect(result.errors).toMatch(/FromPort/);
    expect(result.errors).toMatch(/Unknown parameter/);
  });
});
