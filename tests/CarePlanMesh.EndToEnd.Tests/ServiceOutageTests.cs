namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>A service that is down loses nothing: what it would consume waits on its queue until it is back.</summary>
[Collection(MeshCollection.Name)]
public sealed class ServiceOutageTests(MeshFixture mesh)
{
    [Fact]
    public async Task A_unit_sent_while_notification_is_down_reaches_the_mailbox_and_the_recipient_is_notified_once_it_is_back()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.CareOffice);
        Guid id;
        await mesh.Stop("notification");
        try
        {
            (id, _) = await mesh.SubmitAndWaitFor(careOffice, SampleFiles.PlanSendUnit("20250618090000"), "AwaitingPickup");
            Assert.Equal(0, await mesh.Count($"notification.notifications WHERE submission_id = '{id}'"));
        }
        finally
        {
            await mesh.Start("notification");
        }

        await mesh.Eventually(async () => await mesh.Count(
            $"notification.notifications WHERE submission_id = '{id}' AND office_number = '{MeshFixture.Provider}' AND topic = 'delivery-available'") == 1);
    }
}
