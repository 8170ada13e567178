namespace CarePlanMesh.Intake.Audit;

/// <summary>GET /audit/verify: recomputes the hash chain of the audit trail and names the first broken row.</summary>
public static class AuditEndpoints
{
    public static RouteGroupBuilder MapAudit(this RouteGroupBuilder management)
    {
        management.MapGet("/audit/verify", async (AuditTrail trail, CancellationToken cancellationToken) =>
            Results.Ok(await trail.Verify(cancellationToken)));
        return management;
    }
}
