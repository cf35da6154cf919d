using Flo.Endpoints;
using Flo.Runtime.Hosting;

// A Flo silo. Configuration: appsettings.json, CLUSTER__* environment variables, --Cluster:Key=value arguments.
// The content root is the build output, so appsettings.json is found whatever directory the silo is started from;
// relative paths in the configuration (the SQLite data directory) stay relative to the working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.UseFloSilo(silo => silo.AddFloPlatform());
var app = builder.Build();
app.MapFloSiloEndpoints();
app.Run();
