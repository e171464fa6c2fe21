/** A labelled select of the live athletes bound to the shared selection. */
import { h } from './dom.ts';
import type { AppContext } from './context.ts';

let pickers = 0;

export function athletePicker(ctx: AppContext): HTMLElement {
  const id = `athlete-picker-${++pickers}`;
  const select = h('select', { id, 'data-testid': 'athlete-picker', onchange: () => ctx.selection.set(select.value) });
  const render = () => {
    const athletes = ctx.live.athletes();
    select.replaceChildren(...athletes.map((a) => h('option', { value: a.athlete.id }, a.athlete.name)));
    if (ctx.selection.id !== null) select.value = ctx.selection.id;
  };
  ctx.live.listen((change) => {
    if (change.kind === 'athletes') render();
  });
  ctx.selection.listen(() => render());
  render();
  return h('div', { class: 'field athlete-picker' }, h('label', { for: id }, 'Athlete'), select);
}
