/**
 * Several racks, one historian (docs/DEPLOYMENT.md): two `squatmon start --sim` processes, each with its own
 * athlete id prefix, publish to one real Mosquitto — one under the shared root, one under a level of its own —
 * and a historian (in-process, PostgreSQL history when a server answers, else SQLite) subscribed to the root
 * stores everything. Its REST API must list both athletes and exactly the reps an independent MQTT subscriber
 * saw, each once.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../gateway/config/config.ts';
import type { Athlete, PublishedRep } from '../../gateway/core/domain.ts';
import { startHistorianGateway } from '../../gateway/service/gateway.ts';
import type { RunningHistorian } from '../../gateway/service/gateway.ts';
import { historianClientId } from '../../gateway/service/historian.ts';
import { memoryLogger } from '../../gateway/core/logger.ts';
import { signingEncoder } from '../../gateway/mqtt/signing.ts';
import { findMosquitto, NO_MOSQUITTO } from '../support/mosquitto.ts';
import { record, waitFor } from '../support/mqtt-harness.ts';
import type { Recorder } from '../support/mqtt-harness.ts';
import { freePort } from '../support/net.ts';
import { dropSchema, freshSchemaName, NO_POSTGRES, POSTGRES_URL, postgresAvailable } from '../support/postgres.ts';

const mosquitto = await findMosquitto();
if (!mosquitto) console.warn(`several-gateways: skipped: ${NO_MOSQUITTO}`);
const postgres = mosquitto !== null && (await postgresAvailable());
if (mosquitto && !postgres) console.warn(`several-gateways: the historian uses SQLite: ${NO_POSTGRES}`);

const REPS_PER_RACK = 2;
const RACK_KEYS: Record<string, string> = { rack1: 'rack1-signing-key-4f9c2a', rack2: 'rack2-signing-key-8b71e0' };
/** A rep as the gateway published it, without the signature fields (the history keeps the fact, not the envelope). */
const unsigned = ({ signer: _signer, sig: _sig, ...rep }: PublishedRep & { signer?: string; sig?: string }): PublishedRep => rep;

interface Rack {
  readonly prefix: string;
  readonly root: string;
  readonly athlete: string;
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  output: string;
}

describe.skipIf(!mosquitto)(`several racks, one historian (${postgres ? 'PostgreSQL' : 'SQLite'} history)`, () => {
  const root = `squatmon-test-${process.pid}-racks`;
  const schema = freshSchemaName('racks');
  const racks: Rack[] = [];
  let workDir = '';
  let historian: RunningHistorian | undefined;
  let subscriber: Recorder | undefined;

  afterAll(async () => {
    for (const rack of racks) rack.child.kill('SIGKILL');
    await historian?.stop();
    if (subscriber) {
      // Clear the retained topics this run left on what may be a shared broker.
      for (const topic of new Set(subscriber.messages.filter((m) => m.retain || /\/(bridge\/state|session|stats)$|\/sensors\//.test(m.topic)).map((m) => m.topic))) {
        await subscriber.client.publishAsync(topic, '', { retain: true, qos: 1 });
      }
      await subscriber.close();
    }
    if (mosquitto) {
      // And the historian's persistent session: a clean connect with its client id ends it.
      const cleaner = await mqtt.connectAsync(mosquitto.url, { clientId: historianClientId(join(workDir, 'historian')), clean: true });
      await cleaner.endAsync();
      await mosquitto.stop();
    }
    if (postgres) await dropSchema(schema);
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  async function startRack(prefix: string, rackRoot: string): Promise<Rack> {
    const dataDir = join(workDir, prefix);
    const configFile = join(workDir, `${prefix}.json`);
    // Each rack signs what it publishes with its own key; the historian holds both (docs/SECURITY.md).
    await writeFile(configFile, JSON.stringify({ mqtt: { root: rackRoot, signer: prefix, signingKey: RACK_KEYS[prefix] } }));
    const args = ['bin/squatmon.js', 'start', '--sim', '--sim-speed', '6', '--athletes', '1', '--sim-prefix', prefix];
    args.push('--mqtt-url', mosquitto!.url, '--http-port', String(await freePort()), '--data-dir', dataDir, '--config', configFile);
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const rack: Rack = {
      prefix,
      root: rackRoot,
      athlete: `${prefix}-sim-1`,
      child,
      exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))),
      output: '',
    };
    child.stdout!.on('data', (d) => (rack.output += d));
    child.stderr!.on('data', (d) => (rack.output += d));
    racks.push(rack);
    return rack;
  }

  const publishedReps = () =>
    subscriber!.messages.filter((m) => m.topic.endsWith('/reps') && !m.topic.includes('/ghost/')).map((m) => unsigned(m.json as PublishedRep));

  async function health(): Promise<{ historian: { accepted: number; refused: number } }> {
    return (await fetch(`${historian!.dashboardUrl}/api/health`)).json() as Promise<{ historian: { accepted: number; refused: number } }>;
  }

  async function api<T>(path: string): Promise<T> {
    const response = await fetch(`${historian!.dashboardUrl}/api${path}`);
    expect(response.status, path).toBe(200);
    return (await response.json()) as T;
  }

  it('stores every rep that both gateways published, once, under both athletes, also those it missed while down', async () => {
    workDir = await mkdtemp(join(tmpdir(), 'squatmon-racks-'));
    const logger = memoryLogger();
    const config = configSchema.parse({
      source: 'historian',
      dataDir: join(workDir, 'historian'),
      http: { port: 0 },
      mqtt: { url: mosquitto!.url, root },
      historian: { gatewayKeys: RACK_KEYS },
      store: postgres ? { url: POSTGRES_URL, schema } : {},
    });
    const startHistorian = async () => {
      const subscribed = logger.lines.filter((l) => l.includes('historian subscribed')).length;
      historian = await startHistorianGateway({ config, logger, dashboardDir: join(workDir, 'no-dashboard') });
      await waitFor(() => logger.lines.filter((l) => l.includes('historian subscribed')).length > subscribed, 'the historian subscription', 10_000);
    };
    await startHistorian();
    subscriber = await record(mosquitto!.url, `${root}/#`);

    // One rack under the shared root, one under a level of its own: the historian reads both layouts.
    const rack1 = await startRack('rack1', root);
    const rack2 = await startRack('rack2', `${root}/rack2`);
    const repsOf = (athlete: string) => publishedReps().filter((r) => r.athlete === athlete);
    const everyRackHas = async (reps: number) =>
      waitFor(() => racks.every((rack) => repsOf(rack.athlete).length >= reps), `${reps} reps from each rack`, 45_000).catch((err: Error) => {
        throw new Error(`${err.message}\n${racks.map((r) => `--- ${r.prefix}\n${r.output.slice(-2000)}`).join('\n')}`);
      });
    await everyRackHas(1);
    // The historian goes down for a while: its persistent session on the broker keeps what it misses.
    await historian!.stop();
    const missedFrom = publishedReps().length;
    await everyRackHas(REPS_PER_RACK);
    await waitFor(() => racks.every((rack) => publishedReps().slice(missedFrom).some((r) => r.athlete === rack.athlete)), 'a rep from each rack while the historian is down', 45_000);
    await startHistorian();
    expect(logger.lines.some((l) => l.includes('historian connected') && l.includes('resumed_session=true'))).toBe(true);
    // Anyone on this anonymous broker forges a rep (the issue's reproduction), unsigned and signed with a guessed key.
    const [model] = publishedReps();
    const ghost = { ...model!, athlete: 'ghost', session: model!.session.replace(/[^-]+-sim-1$/, 'ghost'), index: 777, depth_cm: 123.4 };
    const ghostRep = { ...ghost, id: `${ghost.session}/${ghost.set}/777` };
    const ghostTopic = `${root}/athletes/ghost/reps`;
    await subscriber.client.publishAsync(ghostTopic, JSON.stringify(ghostRep), { qos: 1 });
    await subscriber.client.publishAsync(ghostTopic, signingEncoder({ signer: 'rack1', key: 'guessed-key-0123456789' })(ghostTopic, ghostRep), { qos: 1 });
    for (const deadline = performance.now() + 10_000; (await health()).historian.refused < 2 && performance.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 50));
    }
    // A graceful stop flushes each gateway's outbox and publishes its last session summary.
    for (const rack of racks) rack.child.kill('SIGTERM');
    for (const rack of racks) expect(await rack.exited, rack.output.slice(-2000)).toBe(0);

    const published = publishedReps();
    const publishedIds = [...new Set(published.map((r) => r.id))].sort();
    expect(publishedIds.length).toBeGreaterThanOrEqual(2 * REPS_PER_RACK);
    // The rep topic follows each rack's root.
    expect(subscriber.messages.some((m) => m.topic === `${root}/athletes/${rack1.athlete}/reps`)).toBe(true);
    expect(subscriber.messages.some((m) => m.topic === `${root}/rack2/athletes/${rack2.athlete}/reps`)).toBe(true);

    let stored: PublishedRep[] = [];
    const deadline = performance.now() + 10_000;
    while (stored.length < publishedIds.length && performance.now() < deadline) {
      stored = (await api<{ reps: PublishedRep[] }>('/reps?limit=1000')).reps;
      if (stored.length < publishedIds.length) await new Promise((r) => setTimeout(r, 100));
    }
    const storedIds = stored.map((r) => r.id);
    expect(new Set(storedIds).size).toBe(storedIds.length);
    expect([...storedIds].sort()).toEqual(publishedIds);
    for (const rack of racks) {
      expect(stored.filter((r) => r.athlete === rack.athlete).length).toBe(new Set(repsOf(rack.athlete).map((r) => r.id)).size);
    }
    // The stored reps are the published ones, field for field.
    const byId = new Map(published.map((r) => [r.id, r]));
    for (const rep of stored) expect(rep).toMatchObject(byId.get(rep.id)!);

    const athletes = (await api<{ athletes: Athlete[] }>('/athletes')).athletes.map((a) => a.id);
    expect(athletes).toEqual([rack1.athlete, rack2.athlete]);
    const sessions = (await api<{ sessions: { athlete: string; reps: number; summary: unknown }[] }>('/sessions')).sessions;
    expect(sessions.map((s) => s.athlete).sort()).toEqual([rack1.athlete, rack2.athlete]);
    expect(sessions.every((s) => s.summary !== null)).toBe(true);
    // Nothing of the forged reps was stored; the two refusals were logged, once per reason.
    expect(stored.some((r) => r.athlete === 'ghost' || r.index === 777)).toBe(false);
    const refusals = logger.lines.filter((l) => l.includes('historian: message refused'));
    expect(refusals.map((l) => /reason="([^"]*)"/.exec(l)?.[1] ?? l)).toEqual(['not signed', 'signature of rack1 does not match']);
    expect((await health()).historian.refused).toBe(2);
    expect(logger.lines.filter((l) => /^(warn|error)/.test(l) && !l.includes('broker unreachable') && !l.includes('message refused'))).toEqual([]);
  }, 90_000);
});
