/** The query string of routes that take a span of time: `from` and `to`, ISO 8601 times. */
export const timeRangeQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    from: { type: 'string', format: 'date-time' },
    to: { type: 'string', format: 'date-time' },
  },
} as const;
