#!/usr/bin/env node
/**
 * Writes the JSON Schemas of ftpcap's output into schema/, generated from the TypeScript types of
 * src/report/schema.ts (the types the report builder must satisfy):
 *
 *   schema/report.schema.json     ftpcap analyze --format json
 *   schema/ndjson.schema.json     each line of ftpcap analyze --format ndjson
 *   schema/firewall.schema.json   ftpcap firewall --format json
 *
 *   npm run schema
 *
 * test/report/schema.test.ts fails when a committed schema differs from what this generates.
 */
'use strict';
const fs = require('fs');
const path = require('path');
const ts = require('typescript');
const { createFormatter, createParser, createProgram, DEFAULT_CONFIG, DefinitionType, EnumType, SchemaGenerator } = require('ts-json-schema-generator');

const root = path.resolve(__dirname, '..');

/** Each published schema: its file in schema/, the root type, and its title. */
const schemas = [
  { file: 'report.schema.json', type: 'Report', title: 'ftpcap JSON report (ftpcap analyze --format json)' },
  { file: 'ndjson.schema.json', type: 'NdjsonLine', title: 'one line of ftpcap analyze --format ndjson' },
  { file: 'firewall.schema.json', type: 'FirewallDocument', title: 'ftpcap firewall --format json' },
];

/**
 * `FindingCode` is `keyof typeof table` in src/finding-codes.ts, an expression the generator does
 * not evaluate: the type checker does, and the codes become the schema's enum (in table order).
 */
class FindingCodeParser {
  constructor(checker) {
    this.checker = checker;
  }

  supportsNode(node) {
    return ts.isTypeReferenceNode(node) && ts.isIdentifier(node.typeName) && node.typeName.text === 'FindingCode';
  }

  createType(node) {
    const type = this.checker.getTypeFromTypeNode(node);
    const members = type.isUnion() ? type.types : [type];
    const codes = members.map((member) => {
      if (!member.isStringLiteral()) throw new Error(`FindingCode has a member that is no string literal: ${this.checker.typeToString(member)}`);
      return member.value;
    });
    return new DefinitionType('FindingCode', new EnumType('FindingCode', codes));
  }
}

/** The schemas as text, by file name (one TypeScript program for all of them). */
function generateSchemas() {
  /** @type {import('ts-json-schema-generator').CompletedConfig} */
  const config = {
    ...DEFAULT_CONFIG,
    path: path.join(root, 'src', 'report', 'schema.ts'),
    tsconfig: path.join(root, 'tsconfig.json'),
    expose: /** @type {const} */ ('export'),
    topRef: true,
    jsDoc: /** @type {const} */ ('extended'),
    // Fields in the order the types declare them (and the reports write them).
    sortProps: false,
    // Closed objects: a field the types do not name is an error (additionalProperties: false).
    additionalProperties: false,
    skipTypeCheck: true,
  };
  const program = createProgram(config);
  const parser = createParser(program, config, (chain) => chain.addNodeParser(new FindingCodeParser(program.getTypeChecker())));
  const generator = new SchemaGenerator(program, parser, createFormatter(config), config);
  const out = {};
  for (const { file, type, title } of schemas) {
    const schema = generator.createSchema(type);
    const { $schema, ...rest } = schema;
    out[file] = `${JSON.stringify({ $schema, title, ...rest }, null, 2)}\n`;
  }
  return out;
}

module.exports = { generateSchemas, schemaDir: path.join(root, 'schema') };

if (require.main === module) {
  const dir = path.join(root, 'schema');
  fs.mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(generateSchemas())) {
    fs.writeFileSync(path.join(dir, file), text);
    console.log(`schema/${file}`);
  }
}
