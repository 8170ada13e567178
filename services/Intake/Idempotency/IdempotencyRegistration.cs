namespace CarePlanMesh.Intake.Idempotency;

public static class IdempotencyRegistration
{
    public static WebApplicationBuilder AddIdempotency(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<IdempotencyOptions>(builder.Configuration.GetSection("Idempotency"));
        builder.Services.AddSingleton<IdempotencyStore>();
        builder.Services.AddHostedService<IdempotencyPurge>();
        return builder;
    }
}
