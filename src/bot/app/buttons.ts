import { consentButton } from '../animate/consent-button.js';
import { historyButtons } from '../history/buttons.js';
import { cancelButton } from '../status/cancel-button.js';

/** Every button the bot answers; the router asks each, in order, whether a custom id is its own (parse). */
export const buttons = [cancelButton, consentButton, ...historyButtons] as const;
