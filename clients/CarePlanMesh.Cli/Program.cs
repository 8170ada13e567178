using CarePlanMesh.Cli;

return await Cli.Run(args);
