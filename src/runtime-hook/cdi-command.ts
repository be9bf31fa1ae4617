import type { Command } from '../common/command.js';
import { FexpodError } from '../common/errors.js';

// Scaffolding: replaced by the real command in its area's issue.
export const command: Command = {
  name: 'cdi',
  summary: '',
  help: 'fexpod cdi: not built yet',
  async run() {
    throw new FexpodError('fexpod cdi is not built yet');
  },
};
