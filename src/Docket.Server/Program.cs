using Docket.Server.Hosting;

return await DocketCommand.RunAsync(args);

/// <summary>The entry point; public so WebApplicationFactory&lt;Program&gt; can host the server in tests.</summary>
public partial class Program;
