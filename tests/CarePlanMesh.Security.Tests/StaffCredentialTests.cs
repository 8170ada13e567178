namespace CarePlanMesh.Security.Tests;

public sealed class StaffCredentialTests
{
    [Theory]
    [InlineData("KJ030000010001", true)]
    [InlineData("ID030000010001", true)]
    [InlineData("HD030000010001", false)]
    [InlineData("AB030000010001", false)]
    [InlineData("kj030000010001", false)]
    [InlineData("KJ03000001000", false)]
    [InlineData("KJ03000001000X", false)]
    public void User_ids_are_two_capital_letters_and_twelve_digits_with_an_accepted_prefix(string userId, bool accepted) =>
        Assert.Equal(accepted, StaffUserId.Problem(userId, StaffUserId.DefaultPrefixes) is null);

    [Fact]
    public void A_proxy_claim_id_is_refused_saying_so_even_if_configured()
    {
        var problem = StaffUserId.Problem("HD030000010001", ["HD", "KJ"]);

        Assert.Contains("proxy-claim", problem!.Value.En);
        Assert.Contains("代理請求", problem.Value.Ja);
    }

    [Fact]
    public void A_password_hash_verifies_only_its_password_and_carries_its_work_factor()
    {
        var hash = PasswordHash.Create("correct horse battery staple", iterations: 1_000);

        Assert.StartsWith("pbkdf2-sha256$1000$", hash);
        Assert.True(PasswordHash.Verify("correct horse battery staple", hash));
        Assert.False(PasswordHash.Verify("correct horse battery stapler", hash));
        Assert.False(PasswordHash.Verify("correct horse battery staple", "md5$whatever"));
        Assert.NotEqual(hash, PasswordHash.Create("correct horse battery staple", iterations: 1_000));
    }
}
