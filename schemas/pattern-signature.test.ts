import { describe, expect, it } from 'vitest';
import { normalizeErrorMessage, patternSignature, patternSignatureText } from './pattern-signature.ts';
import { pythonJsonDumps } from './python-json.ts';

// Reference vectors computed with python3 running the original platform's generate_pattern_signature
// (json.dumps(sort_keys=True), hashlib.sha256, [:16]) on the same inputs.
const VECTORS = [
  {
    input: { incidentType: 'disk_space', checkType: 'linux_disk_space' },
    text: '{"check_type": "linux_disk_space", "error_pattern": "", "type": "disk_space"}',
    signature: 'bce8cf55a9d9b0f6',
  },
  {
    input: {
      incidentType: 'service_crash',
      checkType: null,
      driftType: 'stopped',
      serviceName: 'nginx',
      errorMessage:
        '2026-11-03T10:22:01 connection to 10.0.0.12 refused for job 3f2b8c1e-9a7d-4c1e-8b2a-1234567890ab at /var/cache/0123456789abcdefghijklmnopqrstuv/x (2026-11-03 10:22:05)',
    },
    text: '{"drift_type": "stopped", "error_pattern": "<TIMESTAMP> connection to <IP> refused for job <UUID> at /var/cache/<HASH>/x (<TIMESTAMP>)", "service_name": "nginx", "type": "service_crash"}',
    signature: '3995da0ce80a39de',
  },
  {
    input: {
      incidentType: 'firewall',
      checkType: 'firewall_status',
      errorMessage:
        '\u00c9chec "pare-feu"\t\\ d\u00e9sactiv\u00e9 \u2014 \u0662\u0660\u0662\u0666-\u0661\u0661-\u0660\u0663 \u0661\u0660:\u0662\u0662:\u0660\u0661 \u{1F600} \u007f\u0001',
    },
    text: '{"check_type": "firewall_status", "error_pattern": "\\u00c9chec \\"pare-feu\\"\\t\\\\ d\\u00e9sactiv\\u00e9 \\u2014 <TIMESTAMP> \\ud83d\\ude00 \\u007f\\u0001", "type": "firewall"}',
    signature: '30906c53413bb2b7',
  },
  {
    input: {
      incidentType: null,
      checkType: 'linux_ssh_config',
      driftType: 'PermitRootLogin',
      errorMessage:
        'UUID 3F2B8C1E-9A7D-4C1E-8B2A-1234567890AB kept, host 1234.5.6.7 and /0123456789ABCDEF0123456789ABCDEF/ kept',
    },
    text: '{"check_type": "linux_ssh_config", "drift_type": "PermitRootLogin", "error_pattern": "UUID 3F2B8C1E-9A7D-4C1E-8B2A-1234567890AB kept, host 1<IP> and /0123456789ABCDEF0123456789ABCDEF/ kept"}',
    signature: '140b12297d8b2b8c',
  },
  {
    input: {
      incidentType: 'cert_expiry',
      serviceName: 'iis',
      errorMessage: `${'x'.repeat(198)}\u{1F600}\u{1F600}tail`,
    },
    text: `{"error_pattern": "${'x'.repeat(198)}\\ud83d\\ude00\\ud83d\\ude00", "service_name": "iis", "type": "cert_expiry"}`,
    signature: 'c9a7b7894f8896d3',
  },
  {
    input: {
      incidentType: 'patching',
      errorMessage: '/0123456789abcdef0123456789abcdef/0123456789abcdef0123456789abcdef/ and 1.2.3.4.5.6.7.8',
    },
    text: '{"error_pattern": "/<HASH>/0123456789abcdef0123456789abcdef/ and <IP>.<IP>", "type": "patching"}',
    signature: 'edfe5270a37ccbbc',
  },
] as const;

describe('pattern signature (original algorithm, Python reference vectors)', () => {
  it.each(VECTORS.map((v, i) => [i, v] as const))('vector %i: canonical text and signature', (_i, v) => {
    expect(patternSignatureText(v.input)).toBe(v.text);
    expect(patternSignature(v.input)).toBe(v.signature);
  });

  it('host and site are not part of it; null fields are dropped but an empty error stays', () => {
    const a = patternSignatureText({ incidentType: 't', checkType: null, errorMessage: null });
    expect(a).toBe('{"error_pattern": "", "type": "t"}');
    expect(patternSignatureText({ incidentType: 't', errorMessage: '' })).toBe(a);
  });

  it('scrubs timestamps (T or space), IPv4, lowercase UUIDs and 32-char path segments only', () => {
    expect(normalizeErrorMessage('at 2026-01-02 03:04:05 and 2026-01-02T03:04:05Z')).toBe(
      'at <TIMESTAMP> and <TIMESTAMP>Z',
    );
    expect(normalizeErrorMessage('2026-01-02_03:04:05')).toBe('2026-01-02_03:04:05');
    expect(normalizeErrorMessage('from 192.168.1.10:22')).toBe('from <IP>:22');
    expect(normalizeErrorMessage('id 0f8fad5b-d9cb-469f-a165-70867728950e')).toBe('id <UUID>');
    expect(normalizeErrorMessage('id 0F8FAD5B-D9CB-469F-A165-70867728950E')).toBe(
      'id 0F8FAD5B-D9CB-469F-A165-70867728950E',
    );
    expect(normalizeErrorMessage(`/${'a'.repeat(31)}/`)).toBe(`/${'a'.repeat(31)}/`);
    expect(normalizeErrorMessage(`/${'z'.repeat(32)}/`)).toBe('/<HASH>/');
  });

  it('cuts to 200 code points after scrubbing, never splitting a surrogate pair', () => {
    const cut = normalizeErrorMessage('\u{1F600}'.repeat(250));
    expect(Array.from(cut)).toHaveLength(200);
    expect(cut.length).toBe(400);
    expect(normalizeErrorMessage(`${'1.2.3.4 '.repeat(40)}`)).toBe('<IP> '.repeat(40));
  });
});

describe('pythonJsonDumps', () => {
  it("writes Python's default separators, sorted keys and ensure_ascii escapes", () => {
    expect(pythonJsonDumps({ c: null, a: 'b' })).toBe('{"a": "b", "c": null}');
    expect(pythonJsonDumps({ list: [1, true, false, 'x'], n: { z: 1, y: [] } })).toBe(
      '{"list": [1, true, false, "x"], "n": {"y": [], "z": 1}}',
    );
    expect(pythonJsonDumps('\u00e9\u{1F600}\u007f\u001f"\\/')).toBe(
      '"\\u00e9\\ud83d\\ude00\\u007f\\u001f\\"\\\\/"',
    );
  });

  it('sorts keys by code point like Python (astral keys after U+FFFF-range keys)', () => {
    expect(pythonJsonDumps({ '\u{1F600}': 1, '\uFF21': 2 })).toBe('{"\\uff21": 2, "\\ud83d\\ude00": 1}');
  });

  it('refuses floats, whose text differs between Python and JS', () => {
    expect(() => pythonJsonDumps(0.5)).toThrow(RangeError);
  });
});
