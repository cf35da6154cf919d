// The flo tool: every command is built in FloCommand; this only hands it the real console and arguments.
return await Flo.Cli.FloCommand.InvokeAsync(args, Flo.Cli.CliEnvironment.Process);
