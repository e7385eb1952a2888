// What the L1 engine decides against, read from the site's documents: the RuleBook (compiled), the
// Exceptions and SiteSettings. Recomputed only when a document's heads change.
import * as A from '@automerge/automerge';
import type { DocHandle, DocumentId } from '@automerge/automerge-repo';
import {
  BUILTIN_RULES,
  type DocumentKind,
  type ExceptionsDoc,
  KNOWN_CHECKS,
  type RuleBook,
  type SiteSettings,
  isCheckEnabled,
  isInMaintenance,
  validateDocument,
} from '../../schemas/index.ts';
import { genesisContent } from '../../sync/genesis-content.ts';
import { genesisHash } from '../../sync/genesis.ts';
import type { Logger } from '../../sync/log.ts';
import {
  type CompiledRule,
  type ComplianceException,
  type EngineSettings,
  type L1Rule,
  compileRuleBook,
} from '../l1/index.ts';
import type { ApplianceSync } from '../sync/appliance-sync.ts';

/** Everything `decide` needs besides the incident, the state and the clock. */
export interface EngineInputs {
  readonly rules: readonly CompiledRule[];
  readonly exceptions: readonly ComplianceException[];
  readonly settings: SiteSettings | undefined;
  /** True while the RuleBook is still its empty genesis (never synced): built-in rules stand in. */
  readonly builtinFallback: boolean;
}

const tierOf = (r: L1Rule) => ((r as { tier?: unknown }).tier === 'full_coverage' ? 'extended' : 'core');

/** The engine settings at `now` (maintenance windows are time dependent, so not cached). */
export function engineSettings(
  settings: SiteSettings | undefined,
  checkType: string,
  now: number,
): EngineSettings {
  if (!settings) return { healingTier: 'standard', tierOf };
  const disabled = new Set<string>();
  for (const c of new Set([...KNOWN_CHECKS, ...Object.keys(settings.checks), checkType]))
    if (!isCheckEnabled(settings, c)) disabled.add(c);
  const w = settings.maintenance;
  return {
    healingTier: settings.healing_tier,
    tierOf,
    disabledChecks: disabled,
    ...(w && isInMaintenance(settings, now)
      ? { maintenanceUntil: w.starts_at + w.duration_hours * 3_600_000 }
      : {}),
  };
}

/** Reads and caches the engine inputs from an ApplianceSync's site documents. */
export class EngineInputsReader {
  private key = '';
  private cached: EngineInputs | undefined;
  private readonly ruleGenesis: string;

  constructor(
    private readonly sync: ApplianceSync,
    siteId: string,
    private readonly log: Logger,
  ) {
    const id = sync.rules().documentId as DocumentId;
    this.ruleGenesis = genesisHash(
      id,
      genesisContent({ kind: 'rule_book', siteId, applianceId: null, period: null }),
    );
  }

  /** The current inputs; a document that fails validation keeps its last good reading. */
  read(): EngineInputs {
    const handles = [this.sync.rules(), this.sync.exceptions(), this.sync.settings()] as const;
    const heads = handles.map((h) => A.getHeads(h.doc() as A.Doc<unknown>));
    const key = JSON.stringify(heads);
    if (this.cached && key === this.key) return this.cached;
    const prev = this.cached;
    const book = this.valid('rule_book', handles[0]) as RuleBook | undefined;
    const exc = this.valid('exceptions', handles[1]) as ExceptionsDoc | undefined;
    const settings = (this.valid('site_settings', handles[2]) as SiteSettings | undefined) ?? prev?.settings;
    const rulesHeads = heads[0] ?? [];
    const builtinFallback = rulesHeads.length === 1 && rulesHeads[0] === this.ruleGenesis;
    let rules = prev?.rules ?? [];
    if (book || builtinFallback) {
      const compiled = compileRuleBook(builtinFallback ? BUILTIN_RULES : Object.values(book?.rules ?? {}));
      for (const r of compiled.rejected)
        this.log.warn({ ruleId: r.ruleId, code: r.error.code, err: r.error.message }, 'L1 rule set aside');
      rules = compiled.rules;
    }
    this.cached = {
      rules,
      exceptions: exc ? Object.values(exc.exceptions) : (prev?.exceptions ?? []),
      settings,
      builtinFallback,
    };
    this.key = key;
    return this.cached;
  }

  private valid(kind: DocumentKind, handle: DocHandle<unknown>): unknown {
    const r = validateDocument(kind, handle.doc());
    if (r.ok) return r.value;
    this.log.error(
      { kind, code: r.error.code, err: r.error.message },
      'site document unreadable; keeping the last good copy',
    );
    return undefined;
  }
}
