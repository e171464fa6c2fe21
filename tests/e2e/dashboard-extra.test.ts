/**
 * The dashboard in chromium, beyond the lifter's main path (dashboard.test.ts): keyboard use (the navigation, the
 * views' buttons, the focus ring, the cue's live region), the calibration wizard walked end to end (calibrations
 * stored, events in the set recordings), a gateway with an access token, and the phone-width layout. One phone
 * (390×844) against the real gateway running simulated athlete sim-1. The page's clock is Playwright's: it runs
 * as the real one, but the test can jump over the wizard's countdowns.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import type { Locator, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../gateway/service/gateway.ts';
import { buildDashboard } from '../../scripts/build-dashboard.ts';
import { profileByName } from '../../firmware-sim/model/index.ts';
import { simulateRecording } from '../../gateway/sources/simulated-recording.ts';
import { configSchema } from '../../gateway/config/config.ts';
import { analyzeSamples } from '../../gateway/sensing/analyze-samples.ts';
import type { RepEvent } from '../../gateway/sensing/events.ts';
import { startGateway } from '../../gateway/service/gateway.ts';
import { memoryLogger } from '../../gateway/core/logger.ts';
import { RecordingWriter } from '../../shared/recording/index.ts';
import { depthIsUncertain } from '../../shared/rep.ts';
import { CHROMIUM, openBrowser, startSimGateway } from './browser.ts';
import type { BrowserSession } from './browser.ts';

const ATHLETE = 'sim-1';
const PHONE = { width: 390, height: 844 };

let work: string;
let dashboardDir: string;
let dataDir: string;
let gateway: RunningGateway | null = null;
let browser: BrowserSession;
let page: Page;
let baseUrl: string;

async function post(path: string, body: unknown = {}): Promise<Response> {
  return fetch(`${baseUrl}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
}

/** Presses Tab until `target` has the focus; the number of presses it took. */
async function tabTo(target: Locator, maxPresses: number): Promise<number> {
  for (let presses = 0; presses <= maxPresses; presses++) {
    if (await target.evaluate((el) => el === document.activeElement)) return presses;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab did not reach ${target.toString()} in ${maxPresses} presses`);
}

/** What a keyboard user sees on the focused element: focus-visible, and an outline or a shadow drawn. */
function focusRing(target: Locator): Promise<{ focusVisible: boolean; drawn: boolean }> {
  return target.evaluate((el) => {
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    return { focusVisible: el.matches(':focus-visible'), drawn: outline || style.boxShadow !== 'none' };
  });
}

/** The event names (`# event: … name=…`) in these set recordings, in order. */
async function recordedEvents(files: readonly string[]): Promise<string[]> {
  const names: string[] = [];
  for (const file of files) {
    const text = gunzipSync(await readFile(file)).toString('utf8');
    for (const match of text.matchAll(/^# event: .*\bname=(\S+)/gm)) names.push(match[1]);
  }
  return names;
}

/** The page is no wider than the screen: nothing to scroll sideways. */
async function expectNoHorizontalScroll(): Promise<void> {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.scrollingElement!.scrollWidth, innerWidth: window.innerWidth }));
  expect(innerWidth).toBe(PHONE.width);
  expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
}

const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`dashboard e2e (extra) skipped: no browser at ${CHROMIUM}`);

describe.skipIf(!haveChromium)('dashboard in chromium: keyboard, calibration, token, phone layout', () => {
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'squatmon-e2e-extra-'));
    dashboardDir = join(work, 'dist');
    dataDir = join(work, 'data');
    await buildDashboard(dashboardDir);
    gateway = await startSimGateway({ dataDir, dashboardDir });
    baseUrl = gateway.dashboardUrl;
    browser = await openBrowser(PHONE);
    page = browser.page;
    await page.clock.install();
  }, 60_000);

  afterAll(async () => {
    await browser?.context.close();
    await gateway?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('is usable with the keyboard: Tab reaches the navigation, Enter opens the views, Space presses their buttons', async () => {
    await page.goto(`${baseUrl}/#live`);
    await page.getByTestId('connection').filter({ hasText: 'live' }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Views' });
    const link = (name: string) => nav.getByRole('link', { name, exact: true });

    // The navigation comes first, right after the skip link: nothing of the view is in the way.
    await page.keyboard.press('Tab');
    await expect(page.getByRole('link', { name: 'Skip to content' }).evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    expect(await tabTo(link('Live'), 1)).toBe(1);
    expect(await focusRing(link('Live'))).toEqual({ focusVisible: true, drawn: true });
    // Without the focus, no ring.
    expect((await focusRing(link('History'))).drawn).toBe(false);

    expect(await tabTo(link('History'), 2)).toBe(2);
    expect(await focusRing(link('History'))).toEqual({ focusVisible: true, drawn: true });
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'History', level: 2 }).waitFor();
    expect(await page.evaluate(() => location.hash)).toBe('#history');
    await expect(link('History').getAttribute('aria-current')).resolves.toBe('page');

    expect(await tabTo(link('Coaching'), 1)).toBe(1);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Coaching', level: 2 }).waitFor();
    await expect(link('Coaching').getAttribute('aria-current')).resolves.toBe('page');
    expect(await page.getByRole('heading', { name: 'History', level: 2 }).isVisible()).toBe(false);

    // A view's button, pressed with Space: the plan for another posture.
    const anterior = page.getByRole('button', { name: 'anterior', exact: true });
    await tabTo(anterior, 15);
    expect(await focusRing(anterior)).toEqual({ focusVisible: true, drawn: true });
    await page.keyboard.press('Space');
    await page.getByRole('heading', { name: /^Corrective plan: Anterior/ }).waitFor();
    await expect(anterior.getAttribute('aria-pressed')).resolves.toBe('true');
    // The redrawn panel keeps the keyboard where it was.
    await expect(anterior.evaluate((el) => el === document.activeElement)).resolves.toBe(true);
  });

  it('says the cue in an assertive live region that screen readers can reach', async () => {
    // The cue's words themselves are checked as it fires (dashboard.test.ts); here: where they are said.
    const region = await page.getByTestId('cue-announcer').evaluate((el) => {
      const style = getComputedStyle(el);
      return {
        live: el.getAttribute('aria-live'),
        hidden: el.closest('[aria-hidden="true"]') !== null || style.display === 'none' || style.visibility === 'hidden',
      };
    });
    expect(region).toEqual({ live: 'assertive', hidden: false });
  });

  it('walks the calibration wizard with the keyboard; each test is stored and marked in the recording', async () => {
    await page.goto(`${baseUrl}/#coaching`);
    await expect(page.getByTestId('athlete-picker').first().inputValue()).resolves.toBe(ATHLETE);
    const wizard = page.getByTestId('calibration-wizard');
    const start = wizard.getByRole('button', { name: 'Start calibration' });
    await start.focus();
    await page.keyboard.press('Space');

    // Which calibrations the page has sent, as it sends them.
    const sent: string[] = [];
    const onRequest = (request: Request) => {
      if (request.url().endsWith(`/api/athletes/${ATHLETE}/calibrate`)) sent.push((request.postDataJSON() as { kind: string }).kind);
    };
    page.on('request', onRequest);
    const steps = [
      { heading: 'Step 1 of 3: Quiet standing', kind: 'standing', sentFirst: false },
      { heading: 'Step 2 of 3: Pelvic-tilt range (optional)', kind: 'tilt_range', sentFirst: false },
      // The gateway measures the maximum flexion over the seconds after the command: it must go out first.
      { heading: 'Step 3 of 3: Maximum lumbar flexion (optional)', kind: 'max_flexion', sentFirst: true },
    ];
    try {
      for (const step of steps) {
        await wizard.getByRole('heading', { name: step.heading }).waitFor();
        await tabTo(wizard.getByRole('button', { name: 'Begin' }), 3);
        await page.keyboard.press('Enter');
        await wizard.locator('.big-number').filter({ hasText: /\d/ }).waitFor();
        expect(sent.includes(step.kind)).toBe(step.sentFirst);
        // Jump over the countdown (longer than any step's).
        await page.clock.fastForward(30_000);
        await expect.poll(() => sent.includes(step.kind)).toBe(true);
      }
    } finally {
      page.off('request', onRequest);
    }
    expect(sent).toEqual(steps.map((s) => s.kind));
    await wizard.getByRole('heading', { name: 'Calibration done' }).waitFor();
    const results = await wizard.getByRole('listitem').allTextContents();
    expect(results).toHaveLength(3);
    expect(results[0]).toMatch(/^Quiet standing: recorded/);
    expect(results[1]).toMatch(/^Pelvic-tilt range \(optional\): recorded/);
    expect(results[2]).toMatch(/^Maximum lumbar flexion \(optional\): recorded/);

    const db = new Database(join(dataDir, 'squatmon.db'), { readonly: true, fileMustExist: true });
    try {
      const rows = db.prepare('SELECT kind FROM calibrations WHERE athlete = ? ORDER BY id').all(ATHLETE) as { kind: string }[];
      expect(rows.map((r) => r.kind)).toEqual(['standing', 'tilt_range', 'max_flexion']);
    } finally {
      db.close();
    }

    // An event lands in the open set's recording, or (no set open) in the next one's: end the open set, then open
    // and end one more so anything pending is written too, and read every set of the session.
    const stop = await post(`/api/athletes/${ATHLETE}/set/stop`);
    expect([200, 409]).toContain(stop.status);
    const started = (await (await post(`/api/athletes/${ATHLETE}/set/start`)).json()) as { data: { session: string; set: number } };
    expect((await post(`/api/athletes/${ATHLETE}/set/stop`)).status).toBe(200);
    const { session, set } = started.data;
    // A recording gets its name once complete; the lifter may already be in a next set, still being written.
    const folder = join(dataDir, 'recordings', session);
    const setFiles = Array.from({ length: set }, (_, i) => join(folder, `set-${i + 1}.csv.gz`));
    await expect.poll(() => setFiles.every((file) => existsSync(file)), { timeout: 10_000 }).toBe(true);
    const events = await recordedEvents(setFiles);
    expect(events.filter((e) => e.startsWith('calibration_'))).toEqual(['calibration_standing', 'calibration_tilt_range', 'calibration_max_flexion']);
  });

  it('has no horizontal scroll at phone width on Live, History and Coaching', async () => {
    await page.goto(`${baseUrl}/#live`);
    await page.getByTestId('connection').filter({ hasText: 'live' }).waitFor();
    await page.getByTestId('sensor-list').getByText('connected').first().waitFor();
    await expectNoHorizontalScroll();

    await page.goto(`${baseUrl}/#history`);
    const sessions = page.getByTestId('session-list').locator('tbody tr');
    await sessions.first().waitFor();
    // The widest part: a session's sets and reps.
    await sessions.first().getByRole('button').click();
    await page.getByTestId('session-detail').getByRole('heading').first().waitFor();
    await expectNoHorizontalScroll();

    await page.goto(`${baseUrl}/#coaching`);
    await page.getByTestId('plan').getByRole('heading', { name: /^Corrective plan/ }).waitFor();
    await page.getByTestId('calibration-wizard').waitFor();
    await expectNoHorizontalScroll();
  });

  it('asks for the token of a gateway started with one, refuses a wrong one clearly, and keeps the right one', async () => {
    const token = 'squat-deep-but-not-too-deep-42';
    const guarded = await startSimGateway({ dataDir: join(work, 'data-token'), dashboardDir, token, sensors: 'sacrum' });
    try {
      const url = guarded.dashboardUrl;
      await page.goto(`${url}/#live`);
      const prompt = page.getByRole('heading', { name: 'Access token needed' });
      await prompt.waitFor();
      const input = page.getByLabel('Token');
      // The field has the focus: the lifter types straight away.
      await expect(input.evaluate((el) => el === document.activeElement)).resolves.toBe(true);
      await page.keyboard.type('not-the-token-at-all-0000');
      await page.keyboard.press('Enter');
      await page.getByText('The saved token was refused.').waitFor();
      await prompt.waitFor();
      expect(await page.getByTestId('connection').count()).toBe(0);

      await input.fill(token);
      await page.keyboard.press('Enter');
      await page.getByTestId('connection').filter({ hasText: 'live' }).waitFor({ timeout: 20_000 });
      expect(await page.evaluate(() => localStorage.getItem('squatmon.token'))).toBe(token);
      // Live frames flow over the token-guarded WebSocket.
      await page.getByTestId('sensor-list').getByText('connected').first().waitFor();

      // Kept: the next visit goes straight in.
      await page.reload();
      await page.getByTestId('connection').filter({ hasText: 'live' }).waitFor({ timeout: 20_000 });
      expect(await prompt.count()).toBe(0);
    } finally {
      await guarded.stop();
    }
  });

  it('marks a rep whose data was lost (the link dropped from its bottom to its end) as an estimate', async () => {
    // A recording with a hole over rep 2's way up, replayed through the real gateway: what a dropped link leaves
    // behind, without the radio's timing (a live outage depends on when the reconnect lands).
    const sim = simulateRecording({ profile: profileByName('neutral-wink'), seed: 11, reps: 3, sensors: 'both', rateHz: 100 });
    const whole = analyzeSamples([...sim.sensors], sim.samples).filter((e): e is RepEvent => e.type === 'rep');
    const [holeFrom, holeTo] = [whole[1].t_bottom + 0.05, whole[1].t_end + 0.2];
    const file = join(work, 'holed.csv.gz');
    const writer = await RecordingWriter.create(file, { sensors: sim.sensors });
    for (const sample of sim.samples) if (sample.t < holeFrom || sample.t >= holeTo) writer.write(sample);
    await writer.close();
    const config = configSchema.parse({ dataDir: join(work, 'data-holed'), source: 'replay', replay: { file, speed: 10, athlete: 'lifter' }, http: { port: 0 }, mqtt: { port: 0 } });
    const replay = await startGateway({ config, logger: memoryLogger(), dashboardDir });
    try {
      await page.goto(`${replay.dashboardUrl}/#live`);
      await page.getByTestId('connection').filter({ hasText: 'live' }).waitFor({ timeout: 20_000 });
      const rows = page.getByTestId('rep-table').locator('tbody tr[data-rep-id]');
      await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(3);
      const reps = ((await (await fetch(`${replay.dashboardUrl}/api/reps`)).json()) as { reps: { id: string; index: number; gap_fraction: number }[] }).reps;
      expect(reps.map((r) => [r.index, depthIsUncertain(r.gap_fraction)])).toEqual([[1, false], [2, true], [3, false]]);
      // That rep's row, and only that one, says its depth is an estimate, and how much was lost.
      const marked = rows.filter({ hasText: 'signal lost' });
      expect(await marked.count()).toBe(1);
      expect(await marked.getAttribute('data-rep-id')).toBe(reps[1].id);
      const lostPct = Math.round(reps[1].gap_fraction * 100);
      expect(await marked.locator('.badge-lost').getAttribute('title')).toBe(`${lostPct} % of this rep's data was lost: its depth is an estimate`);
      expect(await marked.textContent()).toContain('≈');
    } finally {
      await replay.stop();
    }
  });
});
