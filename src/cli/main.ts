import { VERSION } from '../version.js';
import { animateCommand } from './animate-command.js';
import { runConvert } from './convert-command.js';
import { demoCommand } from './demo-command.js';
import { EXIT_BAD_INPUT, EXIT_OK } from './exit-codes.js';
import { modelsCommand } from './models-command.js';
import { STATUS_USAGE, statusCommand } from './status-command.js';
import { WORKER_USAGE, workerCommand } from './worker-command.js';

const USAGE = `Marionette ${VERSION}: animate a still photo with the motion of a video (First Order Motion Model).

Usage: marionette <command> [options]

Commands:
  animate    photo + driving video → clip          (marionette animate --help)
  convert    official FOMM checkpoint → model folder (marionette convert --help)
  models     list the installed model folders
  demo       build a sample photo and video and animate them (data/demo/demo.mp4)
  worker     run the bot's jobs from this process or host  (marionette worker --help)
  status     the bot's workers and queue, from its store   (marionette status --help)
`;

type Command = (argv: readonly string[]) => Promise<number>;

const DEMO_USAGE = `Usage: marionette demo

Draws a sample photo and driving video, animates them with the built-in model and writes
data/demo/demo.mp4 and a contact sheet, data/demo/demo-sheet.png. Takes no options.
`;
const MODELS_USAGE = `Usage: marionette models [--dir <folder>]

Lists the model folders in <folder> (default: $MARIONETTE_MODELS_DIR, else the project's models/) and what each is for.
`;

const COMMANDS: Record<string, Command> = {
  animate: animateCommand,
  demo: (argv) =>
    withHelp(argv, DEMO_USAGE, () => (argv.length === 0 ? demoCommand() : usageError(`marionette demo takes no options (got ${argv.join(' ')}).`, DEMO_USAGE))),
  models: (argv) => withHelp(argv, MODELS_USAGE, () => modelsCommand(argv)),
  convert: (argv) => runConvert(argv),
  worker: (argv) => withHelp(argv, WORKER_USAGE, () => workerCommand(argv)),
  status: (argv) => withHelp(argv, STATUS_USAGE, () => statusCommand(argv)),
};

/** `--help` or `-h` anywhere prints the command's usage instead of running it. */
function withHelp(argv: readonly string[], usage: string, run: () => Promise<number>): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(usage);
    return Promise.resolve(EXIT_OK);
  }
  return run();
}

function usageError(sentence: string, usage: string): Promise<number> {
  process.stderr.write(`${sentence}\n\n${usage}`);
  return Promise.resolve(EXIT_BAD_INPUT);
}

export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE);
    return name === undefined ? EXIT_BAD_INPUT : EXIT_OK;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`${VERSION}\n`);
    return EXIT_OK;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`marionette: unknown command "${name}".\n\n${USAGE}`);
    return EXIT_BAD_INPUT;
  }
  return command(rest);
}
