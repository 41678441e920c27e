// GET /metrics: the registry in the Prometheus text format 0.0.4, or OpenMetrics 1.0 when
// the scraper's Accept header asks for it (Prometheus does by default).

#include "export/prometheus_text.h"
#include "server/api.h"
#include "server/errors.h"

namespace calypso::server {

net::HttpResponse Api::Metrics(const net::HttpRequest& request) const {
    if (request.method != "GET" && request.method != "HEAD") {
        net::HttpResponse r = ErrorResponse(core::Status::InvalidArgument("use GET for /metrics"),
                                            405, "MethodNotAllowed");
        r.headers.emplace_back("Allow", "GET, HEAD");
        return r;
    }
    const exporter::ExpositionFormat format = exporter::FormatFor(request.Header("Accept"));
    net::HttpResponse r;
    r.status = 200;
    r.content_type = std::string(exporter::ContentTypeOf(format));
    r.body = exporter::RenderMetrics(s_.metrics->Collect(), format);
    return r;
}

}  // namespace calypso::server
