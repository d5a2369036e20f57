/**
 * The published JSON Schemas (schema/*.schema.json) are the report contract of src/report/schema.ts:
 * generated from those types (a test fails when the committed files differ: `npm run schema`),
 * strict enough that a field the types do not name fails, and every report ftpcap writes passes:
 * the samples' expected.json files and reports made now, with one input and with several, as
 * JSON, as NDJSON lines and as `ftpcap firewall --format json`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import { beforeAll, describe, expect, test } from 'vitest';
import { findingCodes } from '../../src/finding-codes';
import { runCli } from '../e2e/run-cli';

const root = join(__dirname, '..', '..');
const schemaDir = join(root, 'schema');
const load = (file: string) => JSON.parse(readFileSync(join(schemaDir, file), 'utf8')) as object;

const ajv = new Ajv({ allErrors: true, strict: true });
const validateReport = ajv.compile(load('report.schema.json'));
const validateNdjson = ajv.compile(load('ndjson.schema.json'));
const validateFirewall = ajv.compile(load('firewall.schema.json'));

/** The validator's errors as short lines, for a failing expectation to show. */
function errors(validate: ValidateFunction, value: unknown): string[] {
  return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
}

const samples = readdirSync(join(root, 'samples'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) =>
    readdirSync(join(root, 'samples', d.name))
      .filter((f) => /^expected.*\.json$/.test(f))
      .map((f) => join('samples', d.name, f)),
  )
  .sort();

describe('the committed schemas', () => {
  test('are what scripts/schema.js generates from src/report/schema.ts (npm run schema)', () => {
    const { generateSchemas } = createRequire(__filename)(join(root, 'scripts', 'schema.js')) as { generateSchemas: () => Record<string, string> };
    const generated = generateSchemas();
    expect(Object.keys(generated).sort()).toEqual(readdirSync(schemaDir).sort());
    for (const [file, text] of Object.entries(generated)) expect(readFileSync(join(schemaDir, file), 'utf8'), file).toBe(text);
  }, 120_000);

  test('are published: package.json ships schema/ and exports each file', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { files: string[]; exports: Record<string, unknown> };
    expect(pkg.files).toContain('schema');
    expect(pkg.exports['./schema/report.json']).toBe('./schema/report.schema.json');
    expect(pkg.exports['./schema/ndjson.json']).toBe('./schema/ndjson.schema.json');
    expect(pkg.exports['./schema/firewall.json']).toBe('./schema/firewall.schema.json');
  });

  test('list every finding code, as src/finding-codes.ts does', () => {
    const schema = load('report.schema.json') as { definitions: { FindingCode: { enum: string[] } } };
    expect(schema.definitions.FindingCode.enum).toEqual(findingCodes.map((c) => c.code));
  });
});

describe('every sample expected report is valid', () => {
  test('there are expected reports', () => {
    expect(samples.length).toBeGreaterThanOrEqual(40);
  });

  test.each(samples)('%s', (file) => {
    expect(errors(validateReport, JSON.parse(readFileSync(join(root, file), 'utf8')))).toEqual([]);
  });
});

describe('reports made now are valid', () => {
  // One input, several inputs (frame fields with their input siblings), pcapng (interfaces),
  // gzip and a damaged file (input problems), control connections that never opened.
  const runs: Array<[string, string[]]> = [
    ['vsftpd-mixed', ['samples/vsftpd-mixed/capture.pcap']],
    ['two inputs', ['samples/nat-helper/inside.pcap', 'samples/nat-helper/capture.pcap']],
    ['pcapng and more inputs', ['samples/capture-formats/dumpcap.pcapng', 'samples/capture-formats/nano.pcap', 'samples/capture-formats/snap96.pcap']],
    ['unopened control connections', ['samples/control-unopened/capture.pcap']],
    ['TLS and midstream', ['samples/auth-tls/capture.pcap', 'samples/midstream/capture.pcap']],
  ];

  test.each(runs)('JSON: %s', async (_name, files) => {
    const result = await runCli('analyze', '--format', 'json', ...files);
    expect(result.code).toBe(0);
    expect(errors(validateReport, JSON.parse(result.stdout))).toEqual([]);
    // Several inputs: the frame fields' input siblings are there, and the schema names them.
    if (files.length > 1) for (const field of ['startInput', 'synInput', 'input']) expect(result.stdout).toMatch(new RegExp(`"${field}": \\d`));
  });

  test.each(runs)('NDJSON lines: %s', async (_name, files) => {
    const result = await runCli('analyze', '--format', 'ndjson', ...files);
    expect(result.code).toBe(0);
    const lines = result.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string });
    expect(lines.at(-1)?.type).toBe('summary');
    for (const line of lines) expect(errors(validateNdjson, line)).toEqual([]);
  });

  test.each(runs)('ftpcap firewall --format json: %s', async (_name, files) => {
    const result = await runCli('firewall', '--format', 'json', '--dialect', 'all', '--side', 'all', ...files);
    expect(result.code).toBe(0);
    expect(errors(validateFirewall, JSON.parse(result.stdout))).toEqual([]);
  });
});

describe('the schema is strict', () => {
  let report: Record<string, unknown>;
  beforeAll(() => {
    report = JSON.parse(readFileSync(join(root, 'samples', 'vsftpd-mixed', 'expected.json'), 'utf8')) as Record<string, unknown>;
    expect(errors(validateReport, report)).toEqual([]);
  });

  type Session = Record<string, unknown> & {
    dataChannels: Array<Record<string, unknown> & { connection: Record<string, unknown> }>;
    findings: Array<Record<string, unknown>>;
  };
  const mutations: Array<[string, (r: Record<string, unknown> & { sessions: Session[]; summary: Record<string, unknown> }) => void, RegExp]> = [
    [
      'an unknown top-level field',
      (r) => {
        r.extra = 1;
      },
      /must NOT have additional properties.*"additionalProperty":"extra"/,
    ],
    [
      'an unknown field in a session',
      (r) => {
        r.sessions[0].clientAddress = '192.0.2.1';
      },
      /\/sessions\/0 must NOT have additional properties/,
    ],
    [
      'a field renamed in a connection',
      (r) => {
        const c = r.sessions[0].dataChannels[0].connection;
        c.synframe = c.synFrame;
        delete c.synFrame;
      },
      /must have required property 'synFrame'/,
    ],
    [
      'an input sibling under a name built wrongly',
      (r) => {
        r.sessions[0].dataChannels[0].connection.synFrameInput = 1;
      },
      /additionalProperty":"synFrameInput"/,
    ],
    [
      'a status outside the list',
      (r) => {
        r.sessions[0].dataChannels[0].status = 'done';
      },
      /\/status must be equal to one of the allowed values/,
    ],
    [
      'a finding code outside the closed list',
      (r) => {
        r.sessions[0].findings.push({ code: 'no-such-code', severity: 'warning', frame: 1, message: 'x' });
      },
      /\/code must be equal to one of the allowed values/,
    ],
    [
      'a count of the wrong type',
      (r) => {
        r.summary.sessions = '2';
      },
      /\/summary\/sessions must be number/,
    ],
    [
      'another schemaVersion',
      (r) => {
        r.schemaVersion = 2;
      },
      /\/schemaVersion must be equal to constant/,
    ],
    [
      'an input index of 0',
      (r) => {
        r.sessions[0].startInput = 0;
      },
      /\/sessions\/0\/startInput must be >= 1/,
    ],
  ];

  test.each(mutations)('%s fails', (_name, mutate, message) => {
    const copy = structuredClone(report) as Parameters<typeof mutate>[0];
    mutate(copy);
    expect(errors(validateReport, copy).join('\n')).toMatch(message);
  });
});
