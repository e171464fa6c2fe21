/** Asks for the gateway's access token when the gateway refuses the page without one (listening beyond localhost). */
import { saveToken } from './access-token.ts';
import { h } from './dom.ts';

export function showTokenPrompt(container: HTMLElement, wrong: boolean): void {
  const input = h('input', { id: 'token-input', type: 'password', autocomplete: 'current-password', required: true, minlength: 16 });
  const form = h(
    'form',
    {
      class: 'panel token-form',
      onsubmit: (e: Event) => {
        e.preventDefault();
        saveToken(input.value.trim());
        location.reload();
      },
    },
    h('h2', {}, 'Access token needed'),
    h('p', {}, wrong ? 'The saved token was refused. ' : '', 'This gateway is shared on the network and asks for its access token (the one it was started with).'),
    h('label', { for: 'token-input' }, 'Token'),
    input,
    h('button', { type: 'submit' }, 'Connect'),
  );
  container.replaceChildren(form);
  input.focus();
}
