import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/**
 * How the hub checks requests against route schemas. A field the schema does not know is
 * refused, not dropped: a misspelt setting must say so rather than vanish from what is saved.
 */
const shared: Options = {
  useDefaults: true,
  removeAdditional: false,
  addUsedSchema: false,
  allErrors: false,
};

// Query strings and path parameters arrive as text: `?limit=20` means the number 20.
const textParts = addFormats(new Ajv({ ...shared, coerceTypes: 'array' }));
// JSON bodies carry their own types: "20" where a number belongs is a mistake to report
// (naming the field), never a value to guess at.
const jsonBodies = addFormats(new Ajv({ ...shared, coerceTypes: false }));

/** The validator compiler of the hub's HTTP app: strict for bodies, converting for the rest. */
export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) =>
  (httpPart === 'body' ? jsonBodies : textParts).compile(schema as object);
