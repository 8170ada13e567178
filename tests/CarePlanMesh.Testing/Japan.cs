namespace CarePlanMesh.Testing;

/// <summary>The relay keeps Japan's calendar (UTC+9, no daylight saving): licences begin and end on Japanese dates.</summary>
public static class Japan
{
    public static DateOnly Today => DateOnly.FromDateTime(DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(9)).DateTime);
}
