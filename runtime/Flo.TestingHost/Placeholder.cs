// placeholder so the project compiles until the runtime lands.
namespace Flo.TestingHost;
