// `ldaps-audit schedule install|remove`: a daily Windows scheduled task running `check` into a report folder.
import type { CommandModule } from "yargs";
import { EXIT } from "../../errors";
import { terminalText } from "../../terminal";

interface ScheduleArgs {
  action: "install" | "remove";
  "report-dir"?: string;
  keep: number;
  at: string;
  profile: string;
  "task-name"?: string;
  powershell?: string;
  "ps-shim"?: string[];
  exitCode?: number;
}

export const scheduleCommand: CommandModule<object, ScheduleArgs> = {
  command: "schedule <action>",
  describe: "Install or remove a daily scheduled task (as SYSTEM) that runs `check` and keeps the last N reports (run elevated)",
  builder: (y) =>
    y
      .positional("action", { choices: ["install", "remove"] as const, demandOption: true, describe: "install (or replace) the task, or remove it" })
      .option("report-dir", { type: "string", describe: "Folder for the timestamped reports (install)" })
      .option("keep", { type: "number", default: 30, describe: "How many reports to keep" })
      .option("at", { type: "string", default: "03:00", describe: "Daily start time, HH:MM (24 h, local time)" })
      .option("profile", { type: "string", default: "baseline", describe: "Profile the daily check uses" })
      .option("task-name", { type: "string", describe: "Task name under \\ldaps-audit\\ (default: ldaps-audit daily check)" })
      .option("powershell", { type: "string", describe: "PowerShell to use (default: powershell.exe on Windows)" })
      .option("ps-shim", { type: "string", array: true, hidden: true, describe: "Testing only" })
      .example("$0 schedule install --report-dir C:\\LdapsAudit --keep 30 --at 03:00", "Daily check at 03:00, last 30 reports kept")
      .example("$0 schedule remove", "Remove the task") as never,
  handler: async (args) => {
    const { schedule } = await import("../../collect/schedule");
    const { resolve } = await import("node:path");
    const result = await schedule({
      action: args.action,
      reportDir: args["report-dir"] ? resolve(args["report-dir"]) : undefined,
      keep: args.keep,
      at: args.at,
      profile: args.profile,
      taskName: args["task-name"],
      ...(args.powershell ? { executable: args.powershell } : {}),
      ...(args["ps-shim"]?.length ? { shimScripts: args["ps-shim"] } : {}),
    });
    const { emit } = await import("../output");
    if (result.action === "install") {
      emit(terminalText([`installed task ${result.taskPath}${result.taskName}: daily at ${result.at} as ${result.runAs}`, `  ${result.execute} ${result.arguments}`]));
    } else {
      emit(terminalText([result.removed ? `removed task ${result.taskPath}${result.taskName}` : `no task ${result.taskPath}${result.taskName} to remove`]));
    }
    args.exitCode = EXIT.compliant;
  },
};
