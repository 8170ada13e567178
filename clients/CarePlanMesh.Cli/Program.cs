using CarePlanMesh.Cli;

return await Commands.Run(args);
