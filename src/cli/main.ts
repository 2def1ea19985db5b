import { VERSION } from '../version.js';
import { animateCommand } from './animate-command.js';
import { runConvert } from './convert-command.js';
import { demoCommand } from './demo-command.js';
import { EXIT_BAD_INPUT, EXIT_OK } from './exit-codes.js';
import { modelsCommand } from './models-command.js';

const USAGE = `Marionette ${VERSION}: animate a still photo with the motion of a video (First Order Motion Model).

Usage: marionette <command> [options]

Commands:
  animate    photo + driving video → clip          (marionette animate --help)
  convert    official FOMM checkpoint → model folder (marionette convert --help)
  models     list the installed model folders
  demo       build a sample photo and video and animate them (data/demo/demo.mp4)
`;

type Command = (argv: readonly string[]) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  animate: animateCommand,
  demo: () => demoCommand(),
  models: modelsCommand,
  convert: (argv) => runConvert(argv),
};

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
