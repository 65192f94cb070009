// The command list. Add a command by adding its module here.
import type { CommandModule } from "yargs";
import { evaluateCommand } from "./evaluate";
import { preflightCommand } from "./preflight";
import { dscCommand } from "./dsc";
import { reportCommand } from "./report";
import { diffCommand } from "./diff";
import { fixCommand } from "./fix";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: Array<CommandModule<any, any>> = [evaluateCommand, preflightCommand, require("./collect").collectCommand, require("./check").checkCommand, require("./schedule").scheduleCommand, require("./probe").probeCommand, require("./trust").trustCommand, reportCommand, diffCommand, fixCommand, dscCommand];
