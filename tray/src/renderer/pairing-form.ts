/** The paste-a-pairing-string form, used on first run and in settings. */
import type { VmMessengerApi } from '../core/bridge-api.js';
import { el } from './dom.js';
import { plainError } from './error-text.js';
import { looksLikePairing } from './format.js';

export interface PairingForm {
  form: HTMLFormElement;
  focus(): void;
  setClientName(name: string): void;
}

export function createPairingForm(idPrefix: string, api: Pick<VmMessengerApi, 'pair'>, onPaired: () => void): PairingForm {
  const pairingId = `${idPrefix}-pairing-string`;
  const nameId = `${idPrefix}-client-name`;
  const errorId = `${idPrefix}-pairing-error`;
  const pairing = el('textarea', {
    attrs: { id: pairingId, name: 'pairing', rows: '3', spellcheck: 'false', autocomplete: 'off', placeholder: 'vmm://192.168.122.10:12345/?token=…&fp=sha256:…', required: '' },
  });
  const name = el('input', { attrs: { id: nameId, name: 'clientName', type: 'text', maxlength: '120', autocomplete: 'off' } });
  const error = el('p', { className: 'form-error', attrs: { id: errorId, role: 'alert' } });
  error.hidden = true;
  const submit = el('button', { className: 'primary-button', text: 'Pair', attrs: { type: 'submit' } });
  const form = el(
    'form',
    { className: 'pairing-form', attrs: { novalidate: '' } },
    el('div', { className: 'field' }, el('label', { text: 'Pairing string', attrs: { for: pairingId } }), pairing),
    el(
      'div',
      { className: 'field' },
      el('label', { text: "This computer's name (optional)", attrs: { for: nameId } }),
      name,
      el('span', { className: 'field-hint', text: 'Shown on the VM next to your messages.' }),
    ),
    error,
    submit,
  );

  const errorText = el('span', { className: 'form-error-text' });
  const detailsToggle = el('button', { className: 'link-button', text: 'Details', attrs: { type: 'button', 'aria-expanded': 'false' } });
  const details = el('span', { className: 'form-error-details' });
  details.hidden = true;
  detailsToggle.addEventListener('click', () => {
    details.hidden = !details.hidden;
    detailsToggle.setAttribute('aria-expanded', String(!details.hidden));
  });
  error.append(errorText, ' ', detailsToggle, details);

  const showError = (message: string, detail?: string): void => {
    errorText.textContent = message;
    details.textContent = detail ?? '';
    details.hidden = true;
    detailsToggle.hidden = !detail;
    detailsToggle.setAttribute('aria-expanded', 'false');
    error.hidden = false;
    pairing.setAttribute('aria-invalid', 'true');
    pairing.setAttribute('aria-describedby', errorId);
    pairing.focus();
  };

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = pairing.value.trim();
    if (!text) return showError('Paste the pairing string first.');
    if (!looksLikePairing(text)) return showError('That is not a pairing string: it starts with vmm:// (run vmctl pair on the VM).');
    error.hidden = true;
    pairing.removeAttribute('aria-invalid');
    submit.disabled = true;
    submit.textContent = 'Pairing…';
    const clientName = name.value.trim();
    void api
      .pair(text, clientName === '' ? undefined : clientName)
      .then(
        (result) => {
          if (result.ok) {
            pairing.value = '';
            onPaired();
          } else showError(pairingSentence(result.code, result.target), result.message);
        },
        (err: unknown) => showError(plainError('internal').text, err instanceof Error ? err.message : String(err)),
      )
      .finally(() => {
        submit.disabled = false;
        submit.textContent = 'Pair';
      });
  });

  return {
    form,
    focus: () => pairing.focus(),
    setClientName: (value) => {
      if (document.activeElement !== name) name.placeholder = value;
    },
  };
}

/** Pairing failures read a little differently from the same codes elsewhere: nothing is paired yet. */
export function pairingSentence(code: string | undefined, target?: string): string {
  switch (code) {
    case 'bad_request':
      return "That pairing string is incomplete. Copy the whole line that vmctl pair prints.";
    case 'bad_token':
      return 'The VM did not accept this pairing string. Run vmctl pair on the VM again and paste the new one.';
    case 'bad_fingerprint':
      return "The VM's certificate does not match this pairing string. Copy it again from vmctl pair.";
    case 'connect_failed':
    case 'handshake_timeout':
      return `Can't reach ${target ?? 'the VM'}. Check that the VM is running and its port is open.`;
    default:
      return plainError(code, target ? { target } : {}).text;
  }
}
