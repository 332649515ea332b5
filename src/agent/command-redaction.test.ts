import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redactCommandLine } from './command-redaction.js';

describe('command-line redaction', () => {
  const cases: Array<[string, string]> = [
    [
      'strata hub --database-url postgres://strata:s3cretPW@db.example:5432/strata',
      'strata hub --database-url postgres://strata:***@db.example:5432/strata',
    ],
    [
      'strata agent --hub http://h:8080 --token sat1.abc_DEF.xyz-123',
      'strata agent --hub http://h:8080 --token ***',
    ],
    ['app --password=hunter2 --port 8080', 'app --password=*** --port 8080'],
    ['app --api-key abcdef --verbose', 'app --api-key *** --verbose'],
    [
      'env DB_PASSWORD=hunter2 AWS_SECRET_ACCESS_KEY=x run',
      'env DB_PASSWORD=*** AWS_SECRET_ACCESS_KEY=*** run',
    ],
    ['curl -H "Authorization: Bearer stk_AbC123"', 'curl -H "Authorization: Bearer stk_***"'],
    ['echo sat1.aaaa.bbbb', 'echo sat1.***'],
  ];

  for (const [command, expected] of cases) {
    it(`masks the secret in: ${command.slice(0, 40)}`, () => {
      assert.equal(redactCommandLine(command), expected);
    });
  }

  it('leaves ordinary command lines alone', () => {
    const plain = '/usr/bin/python3 -m http.server --bind 127.0.0.1 8000 --directory /srv/www';
    assert.equal(redactCommandLine(plain), plain);
    assert.equal(
      redactCommandLine('node --test-reporter=spec x.js'),
      'node --test-reporter=spec x.js',
    );
  });

  it('keeps a flag that is followed by another flag instead of a value', () => {
    assert.equal(redactCommandLine('tool --token --verbose'), 'tool --token --verbose');
  });
});
