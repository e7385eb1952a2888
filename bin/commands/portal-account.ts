// `osiris portal account add`: creates (or, for an existing e-mail, updates) a portal login through
// AccountStore. The password never travels on the command line (it would land in shell history and
// `ps`): it is read from --password-file or stdin (a pipe, or typed without echo on a terminal).
import { readFileSync } from 'node:fs';
import { AccountStore } from '../../portal/accounts.ts';
import { ROLES, type Role } from '../../portal/viewer.ts';
import { migrate } from '../../sync/sql/migrate.ts';
import { openSql } from '../../sync/sql/open.ts';
import { UsageError, stringOption } from '../cli-util.ts';
import type { CommandContext } from '../commands.ts';

/** Drops one trailing line break (what `echo` or an editor adds), nothing else. */
const chomp = (s: string): string => s.replace(/\r?\n$/, '');

async function readPipe(stream: NodeJS.ReadStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** One line from a terminal without echoing it. */
function readHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let text = '';
    const done = (err?: Error) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(text);
    };
    const onData = (d: Buffer) => {
      for (const ch of d.toString('utf8')) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return done();
        if (ch === '\u0003') return done(new UsageError('cancelled'));
        if (ch === '\u007f' || ch === '\b') text = text.slice(0, -1);
        else text += ch;
      }
    };
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}

async function readPassword(file: string | undefined): Promise<string> {
  if (file) return chomp(readFileSync(file, 'utf8'));
  if (process.stdin.isTTY) {
    const a = await readHidden('Password (not shown): ');
    const b = await readHidden('Repeat password: ');
    if (a !== b) throw new UsageError('the passwords differ');
    return a;
  }
  return chomp(await readPipe(process.stdin));
}

export async function run(ctx: CommandContext): Promise<number> {
  const email = stringOption(ctx.values.email)?.trim().toLowerCase();
  const role = stringOption(ctx.values.role);
  const partnerId = stringOption(ctx.values.partner);
  const clientId = stringOption(ctx.values.client);
  if (!email || !/^[^\s@]+@[^\s@]+$/.test(email) || email.length > 254)
    throw new UsageError('--email must be an e-mail address');
  if (!role || !(ROLES as readonly string[]).includes(role))
    throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
  if (!partnerId) throw new UsageError('--partner is required');
  if (role === 'client_user' && !clientId) throw new UsageError('--client is required for client_user');
  if (role !== 'client_user' && clientId)
    throw new UsageError('--client is only for client_user (partner staff see every client of the partner)');
  const sql = await openSql({
    url: process.env.DATABASE_URL,
    dataDir: stringOption(ctx.values.data) ?? './data/cloud',
  });
  try {
    await migrate(sql);
    const partner = await sql.query('select 1 from partners where id = $1', [partnerId]);
    if (partner.rows.length === 0) {
      process.stderr.write(`osiris portal account add: E_NOT_FOUND — no partner '${partnerId}'\n`);
      return 1;
    }
    if (clientId) {
      const client = await sql.query('select 1 from clients where id = $1 and partner_id = $2', [
        clientId,
        partnerId,
      ]);
      if (client.rows.length === 0) {
        process.stderr.write(
          `osiris portal account add: E_NOT_FOUND — no client '${clientId}' of partner '${partnerId}'\n`,
        );
        return 1;
      }
    }
    const password = await readPassword(stringOption(ctx.values['password-file']));
    if (password.length < 10) {
      process.stderr.write('osiris portal account add: passwords have at least 10 characters\n');
      return 1;
    }
    const existed =
      (await sql.query('select 1 from portal_accounts where email = $1', [email])).rows.length > 0;
    const id = await new AccountStore(sql).upsert({
      email,
      name: stringOption(ctx.values.name) ?? email.split('@')[0] ?? email,
      role: role as Role,
      partnerId,
      password,
      ...(clientId ? { clientId } : {}),
    });
    process.stdout.write(
      `${existed ? 'updated' : 'created'} ${id}: ${email} (${role}) for partner ${partnerId}${clientId ? `, client ${clientId}` : ''}\n`,
    );
    return 0;
  } finally {
    await sql.close();
  }
}
