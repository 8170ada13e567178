namespace CarePlanMesh.Intake.Retention;

/// <summary>POST /retention/purge: runs the purge now, a dry run unless dryRun=false.</summary>
public static class RetentionEndpoints
{
    public static RouteGroupBuilder MapRetention(this RouteGroupBuilder management)
    {
        management.MapPost("/retention/purge", async (bool? dryRun, RetentionPurge purge, CancellationToken cancellationToken) =>
            Results.Ok(await purge.Run(dryRun ?? true, cancellationToken)));
        return management;
    }
}
