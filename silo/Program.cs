using Flo.Endpoints;
using Flo.Hosting;

// A Flo silo: Orleans plus the platform (grains, storage, reminders), HTTP and RESP, in one web application.
// Configuration: appsettings.json, CLUSTER__* environment variables, --Cluster:Key=value arguments (docs/runtime.md).
// The content root is the build output, so appsettings.json is found whatever directory the silo is started from;
// relative paths in the configuration (the SQLite data directory) stay relative to the working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddFloSilo();
var app = builder.Build();
app.UseFloEndpoints();
app.UseFloHttpToken();
app.MapFloSilo();
app.Run();
