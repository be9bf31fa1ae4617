import type { Command } from '../common/command.js';
import { FexpodError } from '../common/errors.js';

// Scaffolding: replaced by the real command in its area's issue.
export const command: Command = {
  name: 'doctor',
  summary: '',
  help: 'fexpod doctor: not built yet',
  async run() {
    throw new FexpodError('fexpod doctor is not built yet');
  },
};
