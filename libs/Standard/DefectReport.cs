using System.Text.Json;
using System.Text.Json.Serialization;

namespace CarePlanMesh.Standard;

/// <summary>The JSON form of a defect list, as stored behind the claim check and served by the API.</summary>
public static class DefectReport
{
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static byte[] Serialize(IEnumerable<Defect> defects) => JsonSerializer.SerializeToUtf8Bytes(defects.ToList(), JsonOptions);

    public static IReadOnlyList<Defect> Deserialize(ReadOnlySpan<byte> json) => JsonSerializer.Deserialize<List<Defect>>(json, JsonOptions) ?? [];
}
