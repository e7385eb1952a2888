// C2SP signed notes (c2sp.org/signed-note) with Ed25519 keys, and tlog checkpoints
// (c2sp.org/tlog-checkpoint) carried in them. Pure and browser-safe.
import { bytesEqual, concatBytes, fromBase64, toBase64, toHex, utf8 } from './bytes.ts';
import { keyPairFromSeed, sign, verifyDetailed } from './ed25519.ts';
import { evidenceError } from './evidence-errors.ts';
import { sha256 } from './sha256.ts';

const ED25519 = 0x01;
const SIG_PREFIX = '\u2014 ';

export interface NoteVerifier {
  readonly name: string;
  readonly keyId: Uint8Array;
  readonly publicKey: Uint8Array;
}

export interface NoteSigner extends NoteVerifier {
  readonly secretKey: Uint8Array;
}

function checkName(name: string): void {
  if (!name || /[\s+]/u.test(name) || /[\p{Cc}]/u.test(name))
    throw evidenceError('E_EVIDENCE_VKEY_MALFORMED', 'key name must be non-empty, without spaces or "+"');
}

/** Key ID: the first 4 bytes of SHA-256(name || "\n" || 0x01 || public key). */
export function noteKeyId(name: string, publicKey: Uint8Array): Uint8Array {
  return sha256(concatBytes(utf8(`${name}\n`), new Uint8Array([ED25519]), publicKey)).slice(0, 4);
}

/** A signer from a name and a 32-byte seed. */
export function noteSigner(name: string, seed: Uint8Array): NoteSigner {
  checkName(name);
  const kp = keyPairFromSeed(seed);
  return { name, keyId: noteKeyId(name, kp.publicKey), publicKey: kp.publicKey, secretKey: kp.secretKey };
}

/** `<name>+<hex key id>+<base64(0x01 || public key)>`. */
export function encodeVerifierKey(v: NoteVerifier): string {
  return `${v.name}+${toHex(v.keyId)}+${toBase64(concatBytes(new Uint8Array([ED25519]), v.publicKey))}`;
}

/** `PRIVATE+KEY+<name>+<hex key id>+<base64(0x01 || seed)>`. */
export function encodeSignerKey(s: NoteSigner): string {
  const seed = s.secretKey.slice(0, 32);
  return `PRIVATE+KEY+${s.name}+${toHex(s.keyId)}+${toBase64(concatBytes(new Uint8Array([ED25519]), seed))}`;
}

export function parseSignerKey(text: string): NoteSigner {
  const m = /^PRIVATE\+KEY\+([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/=]+)$/.exec(text.trim());
  if (!m) throw evidenceError('E_EVIDENCE_VKEY_MALFORMED', 'not a PRIVATE+KEY+name+id+key string');
  const raw = fromBase64(m[3] as string, 33);
  if (raw[0] !== ED25519) throw evidenceError('E_EVIDENCE_VKEY_MALFORMED', 'only Ed25519 (0x01) keys');
  const s = noteSigner(m[1] as string, raw.slice(1));
  if (toHex(s.keyId) !== m[2]) throw evidenceError('E_EVIDENCE_VKEY_MALFORMED', 'key id does not match key');
  return s;
}

export function parseVerifierKey(text: string): NoteVerifier {
  const m = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/=]+)$/.exec(text.trim());
  if (!m) throw evidenceError('E_EVIDENCE_VKEY_MALFORMED', 'not a name+id+key string');
  const raw = fromBase64(m[3] as string, 33);
  if (raw[0] !== ED25519) throw evidenceError('E_EVIDENCE_VKEY_MALFORMED', 'only Ed25519 (0x01) keys');
  const name = m[1] as string;
  const publicKey = raw.slice(1);
  const keyId = noteKeyId(name, publicKey);
  if (toHex(keyId) !== m[2]) throw evidenceError('E_EVIDENCE_VKEY_MALFORMED', 'key id does not match key');
  return { name, keyId, publicKey };
}

function checkText(text: string): void {
  if (!text.endsWith('\n') || /[\p{Cc}]/u.test(text.replace(/\n/g, '')) || text.includes('\n\n'))
    throw evidenceError(
      'E_EVIDENCE_NOTE_MALFORMED',
      'note text must end in a newline, no blank lines or controls',
    );
}

/** Signs note text (which must end with "\n") with one or more keys. */
export function signNote(text: string, ...signers: NoteSigner[]): string {
  checkText(text);
  const lines = signers.map(
    (s) => `${SIG_PREFIX}${s.name} ${toBase64(concatBytes(s.keyId, sign(utf8(text), s.secretKey)))}\n`,
  );
  return `${text}\n${lines.join('')}`;
}

export interface OpenedNote {
  readonly text: string;
  /** Names of the known keys whose signatures verified. */
  readonly verifiedBy: string[];
}

/**
 * Opens a signed note: at least one signature by a known key must verify, and every signature by a
 * known key must verify (a bad one is an attack, not noise). Unknown keys' signatures are ignored.
 */
export function openNote(note: string, known: readonly NoteVerifier[]): OpenedNote {
  const at = note.lastIndexOf('\n\n');
  if (at < 0 || !note.endsWith('\n')) throw evidenceError('E_EVIDENCE_NOTE_MALFORMED', 'no signature block');
  const text = note.slice(0, at + 1);
  checkText(text);
  const sigLines = note.slice(at + 2, -1).split('\n');
  const verifiedBy: string[] = [];
  for (const line of sigLines) {
    if (!line.startsWith(SIG_PREFIX)) throw evidenceError('E_EVIDENCE_NOTE_MALFORMED', 'bad signature line');
    const [name, b64, ...rest] = line.slice(SIG_PREFIX.length).split(' ');
    if (!name || !b64 || rest.length) throw evidenceError('E_EVIDENCE_NOTE_MALFORMED', 'bad signature line');
    let raw: Uint8Array;
    try {
      raw = fromBase64(b64);
    } catch {
      throw evidenceError('E_EVIDENCE_NOTE_MALFORMED', 'signature is not base64');
    }
    if (raw.length < 5) throw evidenceError('E_EVIDENCE_NOTE_MALFORMED', 'signature too short');
    const keyId = raw.slice(0, 4);
    const v = known.find((k) => k.name === name && bytesEqual(k.keyId, keyId));
    if (!v) continue;
    if (verifyDetailed(utf8(text), raw.slice(4), v.publicKey) !== 'ok')
      throw evidenceError('E_EVIDENCE_NOTE_BAD_SIGNATURE', `signature by ${name} does not verify`);
    verifiedBy.push(name);
  }
  if (verifiedBy.length === 0) throw evidenceError('E_EVIDENCE_NOTE_UNVERIFIED');
  return { text, verifiedBy };
}

export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly root: Uint8Array;
  readonly extensions: readonly string[];
}

/** The checkpoint body: origin, decimal size, base64 root hash, extension lines. */
export function formatCheckpoint(c: Checkpoint): string {
  return [c.origin, String(c.size), toBase64(c.root), ...c.extensions].map((l) => `${l}\n`).join('');
}

export function parseCheckpoint(text: string): Checkpoint {
  const lines = text.split('\n');
  if (lines.pop() !== '' || lines.length < 3)
    throw evidenceError('E_EVIDENCE_CHECKPOINT_MALFORMED', 'needs origin, size and root lines');
  const [origin, sizeText, rootText, ...extensions] = lines as [string, string, string, ...string[]];
  if (!origin || !/^(0|[1-9][0-9]{0,15})$/.test(sizeText))
    throw evidenceError('E_EVIDENCE_CHECKPOINT_MALFORMED', 'bad origin or size');
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size)) throw evidenceError('E_EVIDENCE_CHECKPOINT_MALFORMED', 'size too large');
  let root: Uint8Array;
  try {
    root = fromBase64(rootText, 32);
  } catch {
    throw evidenceError('E_EVIDENCE_CHECKPOINT_MALFORMED', 'root is not 32 bytes of base64');
  }
  return { origin, size, root, extensions };
}

/** Signs a checkpoint as a note. */
export function signCheckpoint(c: Checkpoint, signer: NoteSigner): string {
  return signNote(formatCheckpoint(c), signer);
}

/** Opens a signed checkpoint from the expected origin, signed by one of `known`. */
export function openCheckpoint(note: string, origin: string, known: readonly NoteVerifier[]): Checkpoint {
  const { text } = openNote(note, known);
  const c = parseCheckpoint(text);
  if (c.origin !== origin)
    throw evidenceError('E_EVIDENCE_CHECKPOINT_ORIGIN', `checkpoint is for ${c.origin}, expected ${origin}`);
  return c;
}
