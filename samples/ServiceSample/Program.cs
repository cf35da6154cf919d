await ServiceSample.SampleApp.Build(args).RunAsync();
