using Docket.Core.Learning;
using Docket.Core.Pipeline;
using Docket.Core.Pipeline.Stages;
using Docket.Core.Pipeline.Stages.Analysis;
using Docket.Core.Pipeline.Stages.Categorising;
using Docket.Core.Pipeline.Stages.Extraction;
using Docket.Data;
using Docket.Server.Api;
using Docket.Server.Features.Accounts;
using Docket.Server.Features.Audit;
using Microsoft.AspNetCore.HttpOverrides;
using Docket.Server.Features.Admin;
using Docket.Server.Features.Consume;
using Docket.Server.Features.Documents;
using Docket.Server.Features.Duplicates;
using Docket.Server.Features.Export;
using Docket.Server.Features.Health;
using Docket.Server.Features.Jobs;
using Docket.Server.Features.Review;
using Docket.Server.Features.Streams;
using Docket.Server.Features.Web;
using Docket.Server.Observability;
using Docket.Server.Processing;
using Microsoft.Extensions.Options;
using Docket.Server.Processing.Maintenance;

namespace Docket.Server.Hosting;

public static class DocketHost
{
    /// <summary>The API and, unless Server:NoWorker is true (`serve --no-worker`), a worker, in one process.</summary>
    public static WebApplication BuildServer(string[] args)
    {
        var builder = WebBuilder(args);
        builder.Services.AddDocketProcessing(runWorker: !builder.Configuration.GetValue<bool>("Server:NoWorker"));
        builder.Services.AddDocketTracing(builder.Configuration);
        builder.Services.AddDocketApi();

        var app = builder.Build();
        // Client addresses (rate limits) through a reverse proxy on this machine; others are not trusted.
        app.UseForwardedHeaders(new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto });
        app.UseRequestIds();
        app.UseSecurityHeaders();
        app.UseErrorEnvelope();
        // Static pages need no sign-in: before authentication, so they cost no session lookup either.
        app.UseSwaggerUI(ui =>
        {
            ui.RoutePrefix = "api/v1/docs";
            ui.SwaggerEndpoint("/api/v1/openapi.json", "Docket API v1");
            ui.DocumentTitle = "Docket API";
        });
        // The web UI's files, and its page for every route of the app, need no sign-in (the page signs
        // in itself): mapped here so its static files are served before authentication.
        app.MapWebUi();
        app.UseRouting();
        app.UseRequestBodyLimits();
        app.UseDocketAuthentication();
        app.UseRateLimiter();
        // A request that no route matched (a missing asset, an unknown path) answers 404 to everyone,
        // before the fallback policy could make it a 401: nothing after this point would serve it, and
        // routes are public in the OpenAPI document anyway.
        app.Use((http, next) =>
        {
            if (http.GetEndpoint() is not null) return next(http);
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
        app.UseAuthorization();
        app.MapOpenApi("/api/v1/openapi.json").AllowAnonymous();
        app.MapHealthApi();
        app.MapAuthApi();
        app.MapMetrics();
        app.MapDocumentsApi();
        app.MapJobsApi();
        app.MapReviewApi();
        app.MapExportApi();
        app.MapAdminApi();
        app.MapChangeFeedApi();
        app.MapUsersApi();
        app.MapAuditApi();
        return app;
    }

    /// <summary>
    /// A worker process: claiming and running jobs against the shared database. No HTTP, unless
    /// Worker:MetricsUrls names where to serve /metrics and /health/live (a worker's job counters live in it).
    /// </summary>
    public static IHost BuildWorker(string[] args)
    {
        var probe = new ConfigurationBuilder().AddEnvironmentVariables().AddEnvironmentVariables("DOCKET_").AddCommandLine(args).Build();
        if (probe["Worker:MetricsUrls"] is { Length: > 0 } metricsUrls)
        {
            var web = WebBuilder(args);
            web.Services.AddDocketProcessing(runWorker: true);
            web.Services.AddDocketTracing(web.Configuration);
            web.WebHost.UseUrls(metricsUrls);
            var app = web.Build();
            app.MapMetrics();
            app.MapGet("/health/live", () => TypedResults.Ok(new { status = "alive" }));
            return app;
        }

        var builder = Host.CreateApplicationBuilder([.. args, .. NoConfigWatching]);
        Configure(builder.Configuration, builder.Logging);
        builder.Services.AddDocketProcessing(runWorker: true);
        builder.Services.AddDocketTracing(builder.Configuration);
        return builder.Build();
    }

    /// <summary>The database and the account services, for one-off commands (`docket users ...`); nothing runs in the background.</summary>
    public static IHost BuildTool(string[] args)
    {
        var builder = Host.CreateApplicationBuilder([.. args, .. NoConfigWatching]);
        Configure(builder.Configuration, builder.Logging);
        builder.Logging.AddFilter("Docket", LogLevel.Warning);
        builder.Services.AddDocketData();
        builder.Services.AddDocketAccounts();
        return builder.Build();
    }

    /// <summary>
    /// Slim: no IIS integration, HTTP/3 transport, or Debug and EventSource log providers, which cost memory in
    /// every process that serves HTTP and serve nothing here (decision 65). HTTPS endpoints in configuration still work.
    /// </summary>
    private static WebApplicationBuilder WebBuilder(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder([.. args, .. NoConfigWatching]);
        builder.WebHost.UseKestrelHttpsConfiguration();
        Configure(builder.Configuration, builder.Logging);
        return builder;
    }

    /// <summary>
    /// Watching for appsettings changes puts an inotify watch on the whole content root, and with
    /// the data folder inside it every stored upload wakes the watcher. Settings change by restart.
    /// </summary>
    private static readonly string[] NoConfigWatching = ["--hostBuilder:reloadConfigOnChange=false"];

    private static void Configure(ConfigurationManager configuration, ILoggingBuilder logging)
    {
        // DOCKET_Queue__Concurrency=4 as well as Queue__Concurrency=4.
        configuration.AddEnvironmentVariables("DOCKET_");
        // JSON lines (JsonLogFormatter) unless another console formatter is configured (Logging:Console:FormatterName=simple).
        logging.AddConsoleFormatter<JsonLogFormatter, Microsoft.Extensions.Logging.Console.ConsoleFormatterOptions>();
        if (configuration["Logging:Console:FormatterName"] is null) logging.AddConsole(console => console.FormatterName = JsonLogFormatter.Name);
        // Per-request and per-query information logs drown the ones an operator needs at thousands of requests a second.
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning);
    }

    private static IServiceCollection AddDocketProcessing(this IServiceCollection services, bool runWorker)
    {
        services.AddDocketData();
        // Registered first: hosted services start in order, so the schema is current before anything uses it.
        services.AddHostedService<MigrateOnStart>();
        services.AddSingleton<CategoryClassifier>();
        services.AddSingleton<DocumentFrequencies>();
        services.AddSingleton<VendorMemories>();
        // Only a process that runs the pipeline uses what was learned: an API-only node neither replays the
        // finalised documents nor polls for new ones (its LearningFeed has no learners and does nothing).
        if (runWorker)
        {
            services.AddSingleton<ILearner>(provider => provider.GetRequiredService<CategoryClassifier>());
            services.AddSingleton<ILearner>(provider => provider.GetRequiredService<DocumentFrequencies>());
            services.AddSingleton<ILearner>(provider => provider.GetRequiredService<VendorMemories>());
        }
        // Rendered scan pages go where upload temp files go unless configured: one folder to size and watch.
        services.AddOptions<OcrOptions>().BindConfiguration(OcrOptions.Section).ValidateDataAnnotations().ValidateOnStart()
            .PostConfigure<IOptions<DocketOptions>>((ocr, docket) =>
                ocr.WorkDirectory = string.IsNullOrEmpty(ocr.WorkDirectory) ? Path.Combine(docket.Value.DataDirectory, "tmp") : ocr.WorkDirectory);
        services.AddSingleton(provider => new PipelineRunner(DefaultPipeline.CreateStages(
            provider.GetRequiredService<CategoryClassifier>(), provider.GetRequiredService<DocumentFrequencies>(),
            provider.GetRequiredService<VendorMemories>(), provider.GetRequiredService<IOptions<OcrOptions>>().Value)));
        services.AddSingleton<RunningJobs>();
        services.AddSingleton<WorkerActivity>();
        // Every role runs the scheduler; each task still runs on one node at a time (IMaintenanceClaims).
        services.AddDocketMaintenance();
        services.AddDocketMetrics();
        services.AddSingleton<JobProcessor>();
        services.AddOptions<LearningOptions>().BindConfiguration(LearningOptions.Section);
        services.AddSingleton<LearningFeed>();
        // Before the worker: the learners are replayed from the finalised documents before the first claim.
        services.AddHostedService(provider => provider.GetRequiredService<LearningFeed>());
        services.AddSingleton<InvoiceKeysBackfill>();
        if (runWorker)
        {
            services.AddHostedService<Worker>();
            services.AddHostedService<WorkerHeartbeat>();
            services.AddHostedService(provider => provider.GetRequiredService<InvoiceKeysBackfill>());
        }
        return services;
    }

    private static IServiceCollection AddDocketApi(this IServiceCollection services)
    {
        services.ConfigureHttpJsonOptions(json => ApiJson.Configure(json.SerializerOptions));
        // Malformed JSON bodies and unparsable parameters reach the one exception-to-envelope mapping
        // (bad_request, with what could not be read) instead of an empty 400 outside Development.
        services.Configure<RouteHandlerOptions>(routing => routing.ThrowOnBadRequest = true);
        services.AddOptions<UploadOptions>().BindConfiguration(UploadOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<StreamOptions>().BindConfiguration(StreamOptions.Section);
        services.AddOptions<WebOptions>().BindConfiguration(WebOptions.Section);
        services.AddSingleton<UploadReceiver>();
        services.AddOptions<ConsumeOptions>().BindConfiguration(ConsumeOptions.Section);
        services.AddSingleton<ConsumeFolder>();
        services.AddHostedService(provider => provider.GetRequiredService<ConsumeFolder>());
        services.AddSingleton<EventStreamer>();
        services.AddSingleton<ChangeFeedHub>();
        services.AddHostedService(provider => provider.GetRequiredService<ChangeFeedHub>());
        services.AddDocketAuthentication();
        services.AddDocketRateLimits();
        services.AddOptions<IdempotencyOptions>().BindConfiguration(IdempotencyOptions.Section);
        services.AddScoped<IdempotencyKeys>();
        services.AddSingleton<ExpiredRowSweeper>();
        services.AddHostedService(sp => sp.GetRequiredService<ExpiredRowSweeper>());
        services.AddScoped<ExportWriter>();
        services.AddOpenApi("v1", openApi => openApi.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Docket API";
            document.Info.Description = "Asynchronous document processing: upload, live progress, review, finalise, export. "
                + "Sign in with POST /api/v1/auth/login and send the access token as a bearer token.";
            document.Components ??= new Microsoft.OpenApi.OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, Microsoft.OpenApi.IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes["bearer"] = new Microsoft.OpenApi.OpenApiSecurityScheme
            {
                Type = Microsoft.OpenApi.SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "The access_token from POST /api/v1/auth/login (15 minutes; renew with POST /api/v1/auth/refresh).",
            };
            document.Security ??= [];
            document.Security.Add(new Microsoft.OpenApi.OpenApiSecurityRequirement
            {
                [new Microsoft.OpenApi.OpenApiSecuritySchemeReference("bearer", document)] = [],
            });
            return Task.CompletedTask;
        }));
        return services;
    }

    private sealed class MigrateOnStart(DatabaseMigrator migrator, ILogger<MigrateOnStart> log) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            var applied = migrator.Migrate();
            if (applied.Count > 0) log.LogInformation("Applied migrations: {Migrations}", string.Join(", ", applied));
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
