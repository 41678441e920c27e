#include "export/prometheus_text.h"

#include <array>
#include <charconv>
#include <cmath>

namespace calypso::exporter {
namespace {

using core::MetricFamily;
using core::MetricSeries;
using core::MetricType;

// Shortest text that reads back as the same double; OpenMetrics wants "1.0", not "1", where
// a float is meant (bucket bounds).
std::string Number(double v, bool force_float = false) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    std::array<char, 64> buf{};
    // Plain decimals where they stay short ("0.0005", not "5e-04"); exponents otherwise.
    const double a = std::fabs(v);
    const bool plain = a == 0 || (a >= 1e-4 && a < 1e15);
    auto [end, ec] = plain ? std::to_chars(buf.data(), buf.data() + buf.size(), v,
                                           std::chars_format::fixed)
                           : std::to_chars(buf.data(), buf.data() + buf.size(), v);
    std::string out(buf.data(), end);
    if (force_float && out.find_first_of(".e") == std::string::npos) out += ".0";
    return out;
}

// Label values (and OpenMetrics HELP text): backslash, double quote and newline escaped.
void AppendEscaped(std::string& out, std::string_view s, bool quotes) {
    for (char c : s) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '"' && quotes) {
            out += "\\\"";
        } else {
            out.push_back(c);
        }
    }
}

std::string_view TypeName(MetricType t) {
    switch (t) {
        case MetricType::kCounter:
            return "counter";
        case MetricType::kGauge:
            return "gauge";
        case MetricType::kHistogram:
            return "histogram";
    }
    return "untyped";
}

class Writer {
  public:
    Writer(std::string& out, bool om) : out_(out), om_(om) {}

    void Family(const MetricFamily& f) {
        const bool counter = f.type == MetricType::kCounter;
        // 0.0.4 names a counter family by its samples' name; OpenMetrics by the base name.
        const std::string name = counter && !om_ ? f.name + "_total" : f.name;
        out_ += "# HELP " + name + ' ';
        AppendEscaped(out_, f.help, om_);
        out_ += "\n# TYPE " + name + ' ';
        out_ += TypeName(f.type);
        out_ += '\n';
        if (om_ && !f.unit.empty()) out_ += "# UNIT " + name + ' ' + f.unit + '\n';
        for (const MetricSeries& s : f.series) {
            switch (f.type) {
                case MetricType::kCounter:
                    Sample(f.name + "_total", f, s, s.value);
                    break;
                case MetricType::kGauge:
                    Sample(f.name, f, s, s.value);
                    break;
                case MetricType::kHistogram:
                    Histogram(f, s);
                    break;
            }
        }
    }

  private:
    void Histogram(const MetricFamily& f, const MetricSeries& s) {
        const std::string bucket = f.name + "_bucket";
        for (size_t i = 0; i < f.bounds.size() && i < s.buckets.size(); ++i) {
            Sample(bucket, f, s, static_cast<double>(s.buckets[i]), Number(f.bounds[i], om_));
        }
        Sample(bucket, f, s, static_cast<double>(s.count), "+Inf");
        Sample(f.name + "_sum", f, s, s.sum);
        Sample(f.name + "_count", f, s, static_cast<double>(s.count));
    }

    void Sample(const std::string& name, const MetricFamily& f, const MetricSeries& s, double value,
                const std::string& le = "") {
        out_ += name;
        bool any = false;
        auto label = [&](std::string_view key, std::string_view v) {
            out_ += any ? ',' : '{';
            any = true;
            out_ += key;
            out_ += "=\"";
            AppendEscaped(out_, v, true);
            out_ += '"';
        };
        for (size_t i = 0; i < f.label_names.size() && i < s.label_values.size(); ++i) {
            label(f.label_names[i], s.label_values[i]);
        }
        if (!le.empty()) label("le", le);
        if (any) out_ += '}';
        out_ += ' ';
        out_ += Number(value);
        out_ += '\n';
    }

    std::string& out_;
    bool om_;
};

std::string Lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

}  // namespace

ExpositionFormat FormatFor(std::string_view accept) {
    const std::string a = Lower(accept);
    size_t pos = 0;
    while (pos <= a.size()) {
        size_t end = a.find(',', pos);
        if (end == std::string::npos) end = a.size();
        std::string_view item = std::string_view(a).substr(pos, end - pos);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        if (item.starts_with("application/openmetrics-text")) {
            // "q=0" means "not acceptable"; any other weight is a yes.
            const size_t q = item.find("q=");
            double weight = 1;
            if (q != std::string_view::npos) {
                std::string_view w = item.substr(q + 2);
                std::from_chars(w.data(), w.data() + w.size(), weight);
            }
            const bool refused = weight <= 0;
            if (!refused) return ExpositionFormat::kOpenMetrics;
        }
        pos = end + 1;
    }
    return ExpositionFormat::kText004;
}

std::string_view ContentTypeOf(ExpositionFormat format) {
    return format == ExpositionFormat::kOpenMetrics
               ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
               : "text/plain; version=0.0.4; charset=utf-8";
}

std::string RenderMetrics(const std::vector<core::MetricFamily>& families,
                          ExpositionFormat format) {
    std::string out;
    const bool om = format == ExpositionFormat::kOpenMetrics;
    Writer w(out, om);
    for (const auto& f : families) w.Family(f);
    if (om) out += "# EOF\n";
    return out;
}

}  // namespace calypso::exporter
