/**
 * A page opened between two sets (real chromium, real gateway): the first set has closed and the lifter rests,
 * so everything the page shows comes from the gateway's snapshot. Its rep count, posture and suggested stopping
 * depth, the Coaching view's plan, and REST's plan equal the MQTT `session` payload. The simulated lifter rests
 * 600 s of session time (a minute of wall time at 10 × speed), so the page is opened well inside the rest.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../gateway/service/gateway.ts';
import { buildDashboard } from '../../scripts/build-dashboard.ts';
import { CHROMIUM, openBrowser, startSimGateway } from './browser.ts';
import type { BrowserSession } from './browser.ts';
import { followSessionTopic } from './session-topic.ts';

const ATHLETE = 'sim-1';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`dashboard between-sets e2e skipped: no browser at ${CHROMIUM}`);

let work: string;
let gateway: RunningGateway;
let browser: BrowserSession;

async function api<T>(path: string): Promise<T> {
  const response = await fetch(`${gateway.dashboardUrl}${path}`);
  expect(response.ok).toBe(true);
  return (await response.json()) as T;
}

describe.skipIf(!haveChromium)('a dashboard page opened between sets', () => {
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'squatmon-between-'));
    await buildDashboard(join(work, 'dist'));
    gateway = await startSimGateway({ dataDir: join(work, 'data'), dashboardDir: join(work, 'dist'), sim: { restS: 600, speed: 10 } });
    browser = await openBrowser({ width: 390, height: 844 });
  }, 60_000);

  afterAll(async () => {
    await browser?.context.close();
    await gateway?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('shows the rep count, posture, suggestion and plan that MQTT and REST give', async () => {
    const sessionTopic = await followSessionTopic(gateway.mqttUrl, ATHLETE);
    try {
      // The first set has ended (45 s of session time after its last rep) and the lifter rests.
      const [session] = (await api<{ sessions: { id: string }[] }>('/api/sessions')).sessions;
      await expect
        .poll(async () => (await api<{ sets: { endedAt: number | null }[] }>(`/api/sessions/${session.id}`)).sets.map((s) => s.endedAt !== null), {
          timeout: 45_000,
          interval: 250,
        })
        .toEqual([true]);
      const page = browser.page;
      await page.goto(`${gateway.dashboardUrl}/#live`);
      await page.getByTestId('connection').filter({ hasText: 'live' }).waitFor();
      await page.locator('.set-state').filter({ hasText: 'Between sets' }).waitFor();
      let seen = '';
      await expect
        .poll(
          async () => {
            const payload = sessionTopic.latest();
            const shown = Number(await page.getByTestId('rep-count').textContent());
            const suggestion = (await page.getByTestId('live-suggestion').textContent()) ?? '';
            const plan = await api<{ pelvic_tilt: string | null; stopping_depth: { suggested_cutoff_cm: number | null } | null }>(`/api/athletes/${ATHLETE}/plan`);
            seen = `page ${shown} reps "${suggestion.slice(0, 40)}" / MQTT ${payload?.reps} reps, ${payload?.pelvic_tilt}, ${payload?.suggested_cutoff_cm} cm / REST ${plan.pelvic_tilt}, ${plan.stopping_depth?.suggested_cutoff_cm} cm`;
            return (
              payload !== null &&
              payload.suggested_cutoff_cm !== null &&
              shown === payload.reps &&
              suggestion.includes(`${Math.round(payload.suggested_cutoff_cm)} cm`) &&
              plan.pelvic_tilt === payload.pelvic_tilt &&
              plan.stopping_depth?.suggested_cutoff_cm === payload.suggested_cutoff_cm
            );
          },
          { timeout: 20_000, message: `rep count, posture and suggestion should agree: ${seen}` },
        )
        .toBe(true);
      console.info(`between sets: ${seen}`);
      // Still between sets: the comparison was not made across the next set's start.
      expect(await page.locator('.set-state').textContent()).toBe('Between sets');
      // Coaching: the posture and the plan MQTT's posture calls for.
      await page.goto(`${gateway.dashboardUrl}/#coaching`);
      const tilt = String(sessionTopic.latest()!.pelvic_tilt);
      expect(((await page.getByTestId('posture-result').textContent({ timeout: 10_000 })) ?? '').toLowerCase()).toContain(tilt);
      await page.getByTestId('plan').filter({ hasText: new RegExp(`corrective plan: ${tilt}`, 'i') }).waitFor({ timeout: 10_000 });
      expect(browser.errors).toEqual([]);
    } finally {
      await sessionTopic.close();
    }
  }, 120_000);
});
