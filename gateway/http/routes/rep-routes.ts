/** `/reps` and `/export/reps.{csv,json}`: reps across sessions, filtered and paged, and their downloads. */
import type { Router } from 'express';
import type { RepFilter } from '../../store/history-store.ts';
import { exportQuery, repsQuery } from '../query-schemas.ts';
import type { RepsQuery } from '../query-schemas.ts';
import { repsCsv } from '../reps-csv.ts';
import type { RestApiOptions } from './api-support.ts';
import { parse, queryOf } from './api-support.ts';

function repFilter(q: RepsQuery): RepFilter {
  return {
    athlete: q.athlete,
    session: q.session,
    set: q.set,
    from: q.from,
    to: q.to,
    buttWink: q.butt_wink,
    limit: q.limit,
    offset: q.offset,
  };
}

export function repRoutes(router: Router, { store }: RestApiOptions): void {
  router.get('/reps', async (req, res) => {
    const q = parse(repsQuery, queryOf(req), 'query');
    res.json({ reps: await store.listReps(repFilter(q)), limit: q.limit, offset: q.offset });
  });

  router.get('/export/reps.csv', async (req, res) => {
    const q = parse(exportQuery, queryOf(req), 'query');
    const csv = repsCsv(await store.listReps(repFilter(q)));
    res.attachment('squatmon-reps.csv').type('text/csv; charset=utf-8').send(csv);
  });

  router.get('/export/reps.json', async (req, res) => {
    const q = parse(exportQuery, queryOf(req), 'query');
    const body = JSON.stringify(await store.listReps(repFilter(q)));
    res.attachment('squatmon-reps.json').type('application/json; charset=utf-8').send(body);
  });
}
