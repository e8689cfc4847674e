using Docket.Server.Api;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Docket.Server.Features.Web;

/// <summary>Section "Web": where the built single-page app (web/dist) is.</summary>
public sealed class WebOptions
{
    public const string Section = "Web";

    /// <summary>
    /// The folder holding index.html and assets/. The build copies web/dist to wwwroot beside the
    /// executable; without an index.html there the server runs as an API only.
    /// </summary>
    public string Root { get; set; } = Path.Combine(AppContext.BaseDirectory, "wwwroot");
}

/// <summary>
/// Serves the web UI: hashed assets cached for a year, and index.html for every other GET that is
/// not the API, so a reload on /documents/{id} lands in the app. API paths never fall back to the
/// page: an unknown API route still answers 404 in the error envelope.
/// </summary>
public static class WebUi
{
    private static readonly string[] NotTheApp = ["/api", "/health", "/metrics"];

    /// <summary>The page may load only its own scripts and talk only to its own origin.</summary>
    private const string PagePolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
        + "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    public static WebApplication MapWebUi(this WebApplication app)
    {
        var root = app.Services.GetRequiredService<IOptions<WebOptions>>().Value.Root;
        var index = Path.GetFullPath(Path.Combine(root, "index.html"));
        if (!File.Exists(index))
        {
            app.Logger.LogInformation("No web UI at {Root}; serving the API only", root);
            app.MapGet("/", () => Results.Redirect("/api/v1/docs")).ExcludeFromDescription().AllowAnonymous();
            return app;
        }

        var files = new PhysicalFileProvider(Path.GetFullPath(root));
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            ContentTypeProvider = new FileExtensionContentTypeProvider(),
            OnPrepareResponse = context =>
            {
                var headers = context.Context.Response.Headers;
                headers.XContentTypeOptions = "nosniff";
                // Vite puts a content hash in every name under assets/, so a changed file is a new URL.
                headers.CacheControl = context.Context.Request.Path.StartsWithSegments("/assets")
                    ? "public, max-age=31536000, immutable"
                    : "no-cache";
            },
        });

        // Last in line (as MapFallback), but only for GET and HEAD, so a wrong method on an API route stays a 405.
        app.MapMethods("/{**path:nonfile}", [HttpMethods.Get, HttpMethods.Head], (HttpContext http) => ServePage(http, index))
            .ExcludeFromDescription()
            .AllowAnonymous()
            .Add(endpoint => ((RouteEndpointBuilder)endpoint).Order = int.MaxValue);
        return app;
    }

    private static IResult ServePage(HttpContext http, string index)
    {
        if (NotTheApp.Any(prefix => http.Request.Path.StartsWithSegments(prefix)))
            return ApiErrors.Create(http, 404, "not_found", $"No route matches {http.Request.Method} {http.Request.Path}.");
        var headers = http.Response.Headers;
        headers.CacheControl = "no-cache";
        headers.ContentSecurityPolicy = PagePolicy;
        headers.XContentTypeOptions = "nosniff";
        headers[HeaderNames.XFrameOptions] = "DENY";
        headers["Referrer-Policy"] = "same-origin";
        return Results.File(index, "text/html; charset=utf-8");
    }
}
