global using UrlSessions.IntegrationTests.Fixtures;
global using UrlSessions.IntegrationTests.Helpers;
