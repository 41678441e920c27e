// Parallel fragments: a Scan -> (Filter | Project)* chain run on ExecOptions::threads
// workers, ending at a pipeline breaker that keeps one partial state per worker and merges
// them in worker order. The source gives worker w the w-th consecutive run of the batches
// a serial scan would give (TableSource::ScanParallel), so merging in worker order sees
// the rows in serial order: groups come out in order of first appearance, take/limit keeps
// the same rows and "first row wins" rules (take_any, arg_max ties, make_set) hold.
#include <algorithm>
#include <atomic>
#include <numeric>

#include "kql/exec/evaluate.h"
#include "kql/exec/group_aggregation.h"
#include "kql/exec/operator.h"
#include "kql/planner/rules.h"

namespace calypso::kql {
namespace {

using core::Batch;
using core::Status;
using K = PlanNode::Kind;

// Filter and Project nodes (lowest first) between a breaker and the Scan feeding them.
struct Chain {
    const PlanNode* scan = nullptr;
    std::vector<const PlanNode*> steps;
};

bool FindChain(const PlanNode* node, Chain& chain) {
    std::vector<const PlanNode*> down;
    while (node != nullptr && (node->kind == K::kFilter || node->kind == K::kProject)) {
        if (UsesWindowFunctions(*node)) return false;  // those need the whole row set
        down.push_back(node);
        node = node->input.get();
    }
    if (node == nullptr || node->kind != K::kScan) return false;
    chain.scan = node;
    chain.steps.assign(down.rbegin(), down.rend());
    return true;
}

// A worker's output: out(worker, batch) on that worker's thread.
using WorkerSink = std::function<Status(size_t worker, const Batch&)>;
// The same for the rows a filter keeps of a batch, not gathered.
using WorkerSelectedSink =
    std::function<Status(size_t worker, const Batch&, const std::vector<uint32_t>& rows)>;

// Runs the chain on `workers` workers. `done(w)`, when set, tells the source worker w
// wants no more batches. `selected`, when set, gets what a filter ending the chain (maybe
// with a column pick after it) keeps as the batch and its rows, unless it keeps them all.
Status RunChain(const Chain& chain, const core::TableSource& source, const ExecOptions& opts,
                QueryGovernor& governor, size_t workers, const WorkerSink& out,
                const std::function<bool(size_t)>& done,
                const WorkerSelectedSink& selected = nullptr) {
    RETURN_IF_ERROR(governor.Check());
    bool filter_time = false;
    core::ScanRequest req = MakeScanRequest(*chain.scan, opts, filter_time);
    core::ScanStats stats;
    if (opts.stats != nullptr) req.stats = &stats;

    // Per worker: one row buffer per step and the chain of sinks, the scan's first.
    struct Worker {
        std::vector<std::vector<uint32_t>> rows;
        std::vector<Sink> sinks;
        SelectedSink some;
    };
    const size_t nsteps = chain.steps.size();
    std::vector<Worker> ws(workers);
    for (size_t w = 0; w < workers; ++w) {
        Worker& wk = ws[w];
        wk.rows.resize(nsteps + 1);
        wk.sinks.resize(nsteps + 1);
        wk.sinks[nsteps] = [&out, w](const Batch& b) { return out(w, b); };
        wk.some = [&selected, w](const Batch& b, const std::vector<uint32_t>& rows) {
            return selected(w, b, rows);
        };
        for (size_t i = nsteps; i-- > 0;) {
            const PlanNode& node = *chain.steps[i];
            std::vector<uint32_t>& rows = wk.rows[i + 1];
            const Sink& next = wk.sinks[i + 1];
            const bool picked = i + 1 < nsteps && IsColumnPick(*chain.steps[i + 1]);
            if (selected && node.kind == K::kFilter &&
                (i + 1 == nsteps || (picked && i + 2 == nsteps))) {
                // The last filter hands its rows on ungathered.
                const PlanNode* pick = picked ? chain.steps[i + 1] : nullptr;
                const Sink& all = wk.sinks[nsteps];
                const SelectedSink& some = wk.some;
                wk.sinks[i] = [&node, pick, &rows, &all, &some](const Batch& b) {
                    return FilterSelectStep(node, pick, b, rows, all, some);
                };
            } else if (node.kind == K::kFilter && picked) {
                // The pick after the filter gathers only its columns (sinks[i + 1] unused).
                const PlanNode& pick = *chain.steps[i + 1];
                const Sink& after = wk.sinks[i + 2];
                wk.sinks[i] = [&node, &pick, &rows, &after](const Batch& b) {
                    return FilterPickStep(node, pick, b, rows, after);
                };
            } else if (node.kind == K::kFilter) {
                wk.sinks[i] = [&node, &rows, &next](const Batch& b) {
                    return FilterStep(node, b, rows, next);
                };
            } else {
                wk.sinks[i] = [&node, &next](const Batch& b) { return ProjectStep(node, b, next); };
            }
        }
    }
    core::ParallelConsumer consumer;
    consumer.workers = workers;
    consumer.consume = [&](size_t w, const Batch& b) -> Status {
        // Checked on every block, also when the filters drop all its rows.
        RETURN_IF_ERROR(governor.Check());
        return ScanStep(*chain.scan, opts.time, filter_time, b, ws[w].rows[0], ws[w].sinks[0]);
    };
    consumer.worker_done = done;
    const core::TableSource& tables = chain.scan->source != nullptr ? *chain.scan->source : source;
    Status s = tables.ScanParallel(req, consumer);
    if (opts.stats != nullptr) opts.stats->Add(stats);
    return s;
}

class ParallelAggregateOp final : public Operator {
  public:
    ParallelAggregateOp(PlanNode& node, Chain chain, const core::TableSource& source,
                        const ExecOptions& opts)
        : node_(node), chain_(std::move(chain)), source_(source), opts_(opts) {}
    Status Run(const Sink& sink) override {
        const size_t workers = opts_.threads;
        std::vector<std::unique_ptr<GroupAggregation>> parts;
        for (size_t w = 0; w < workers; ++w) {
            parts.push_back(std::make_unique<GroupAggregation>(node_, governor()));
        }
        RETURN_IF_ERROR(RunChain(
            chain_, source_, opts_, governor(), workers,
            [&](size_t w, const Batch& b) { return parts[w]->Add(b); }, nullptr,
            [&](size_t w, const Batch& b, const std::vector<uint32_t>& rows) {
                return parts[w]->Add(b, &rows);
            }));
        for (size_t w = 1; w < workers; ++w) {
            RETURN_IF_ERROR(governor().Check());
            RETURN_IF_ERROR(parts[0]->Merge(*parts[w]));
            parts[w].reset();
        }
        std::optional<Batch> out = parts[0]->Finish();
        if (!out) return Status::Ok();
        return sink(*out);
    }

  private:
    PlanNode& node_;
    Chain chain_;
    const core::TableSource& source_;
    const ExecOptions& opts_;
};

class ParallelCountOp final : public Operator {
  public:
    ParallelCountOp(PlanNode& node, Chain chain, const core::TableSource& source,
                    const ExecOptions& opts)
        : node_(node), chain_(std::move(chain)), source_(source), opts_(opts) {}
    Status Run(const Sink& sink) override {
        struct alignas(64) Counter {
            int64_t n = 0;
        };
        std::vector<Counter> counts(opts_.threads);
        RETURN_IF_ERROR(RunChain(
            chain_, source_, opts_, governor(), counts.size(),
            [&](size_t w, const Batch& b) {
                counts[w].n += static_cast<int64_t>(b.num_rows());
                return Status::Ok();
            },
            nullptr));
        int64_t total = 0;
        for (const auto& c : counts) total += c.n;
        Batch out = Batch::Empty(node_.schema);
        out.columns[0].AppendInt64(total);
        return sink(out);
    }

  private:
    PlanNode& node_;
    Chain chain_;
    const core::TableSource& source_;
    const ExecOptions& opts_;
};

// sort (limit < 0) or top-N: each worker sorts (or keeps the top N of) its rows; the
// sorted runs are then merged (top: re-cut) with ties broken by input order, as serially.
class ParallelSortOp final : public Operator {
  public:
    ParallelSortOp(PlanNode& node, Chain chain, const core::TableSource& source,
                   const ExecOptions& opts, int64_t limit)
        : node_(node), chain_(std::move(chain)), source_(source), opts_(opts), limit_(limit) {}
    Status Run(const Sink& sink) override {
        const size_t workers = opts_.threads;
        std::vector<std::unique_ptr<SortBuffer>> parts;
        for (size_t w = 0; w < workers; ++w) {
            parts.push_back(std::make_unique<SortBuffer>(node_, limit_, governor()));
        }
        RETURN_IF_ERROR(RunChain(
            chain_, source_, opts_, governor(), workers,
            [&](size_t w, const Batch& b) { return parts[w]->Add(b); }, nullptr));
        Batch all = Batch::Empty(node_.input->schema);
        MemoryCharge charge(governor(), limit_ < 0 ? "sort" : "top");
        std::vector<size_t> run_starts;
        for (auto& p : parts) {
            Batch run = p->Finish();
            p.reset();  // its rows are in `run` now
            run_starts.push_back(all.num_rows());
            RETURN_IF_ERROR(charge.Add(run.ByteSize()));
            AppendBatch(all, run);
        }
        if (all.num_rows() == 0) return Status::Ok();
        RETURN_IF_ERROR(governor().Check());
        std::vector<uint32_t> rows = limit_ >= 0 ? SortOrder(node_, all, limit_)
                                                 : MergeSortedRuns(node_, all, run_starts);
        if (rows.empty()) return Status::Ok();
        return sink(Gather(all, rows));
    }

  private:
    PlanNode& node_;
    Chain chain_;
    const core::TableSource& source_;
    const ExecOptions& opts_;
    int64_t limit_;
};

// take/limit N (or the rows of a query that ends in the chain, `cap` = the row cap + 1):
// each worker keeps the first rows of its run up to what can still be needed, and stops
// once the workers before it hold enough; the kept rows go out in worker order.
class ParallelTakeOp final : public Operator {
  public:
    ParallelTakeOp(Chain chain, const core::TableSource& source, const ExecOptions& opts,
                   size_t cap, std::string_view what)
        : chain_(std::move(chain)), source_(source), opts_(opts), cap_(cap), what_(what) {}
    Status Run(const Sink& sink) override {
        if (cap_ == 0) return Status::Ok();
        const size_t workers = opts_.threads;
        struct alignas(64) Part {
            std::atomic<size_t> rows{0};
            std::vector<Batch> kept;
            std::unique_ptr<MemoryCharge> charge;
        };
        std::vector<Part> parts(workers);
        for (auto& p : parts) p.charge = std::make_unique<MemoryCharge>(governor(), what_);
        auto before = [&](size_t w) {
            size_t n = 0;
            for (size_t j = 0; j < w; ++j) n += parts[j].rows.load(std::memory_order_relaxed);
            return n;
        };
        auto done = [&](size_t w) {
            return parts[w].rows.load(std::memory_order_relaxed) >= cap_ || before(w) >= cap_;
        };
        Status run = RunChain(
            chain_, source_, opts_, governor(), workers,
            [&](size_t w, const Batch& b) -> Status {
                Part& p = parts[w];
                size_t have = p.rows.load(std::memory_order_relaxed);
                if (have >= cap_ || b.num_rows() == 0) return Status::Ok();
                size_t room = cap_ - have;
                if (b.num_rows() <= room) {
                    p.kept.push_back(b);
                } else {
                    std::vector<uint32_t> rows(room);
                    std::iota(rows.begin(), rows.end(), 0u);
                    p.kept.push_back(Gather(b, rows));
                }
                RETURN_IF_ERROR(p.charge->Add(p.kept.back().ByteSize()));
                p.rows.store(have + p.kept.back().num_rows(), std::memory_order_relaxed);
                return Status::Ok();
            },
            done);
        RETURN_IF_ERROR(run);
        size_t remaining = cap_;
        for (auto& p : parts) {
            for (const Batch& b : p.kept) {
                if (remaining == 0) return Status::Ok();
                if (b.num_rows() <= remaining) {
                    remaining -= b.num_rows();
                    RETURN_IF_ERROR(sink(b));
                    continue;
                }
                std::vector<uint32_t> rows(remaining);
                std::iota(rows.begin(), rows.end(), 0u);
                remaining = 0;
                RETURN_IF_ERROR(sink(Gather(b, rows)));
            }
        }
        return Status::Ok();
    }

  private:
    Chain chain_;
    const core::TableSource& source_;
    const ExecOptions& opts_;
    size_t cap_;
    std::string_view what_;
};

bool BreakerUsesWindows(const PlanNode& node) {
    if (UsesWindowFunctions(node)) return true;
    for (const auto& k : node.sort_keys) {
        if (HasWindowCall(*k.expr)) return true;
    }
    return false;
}

}  // namespace

OpPtr MakeParallelOp(PlanNode& node, const core::TableSource& source, const ExecOptions& opts) {
    if (opts.threads <= 1 || node.input == nullptr || BreakerUsesWindows(node)) return nullptr;
    Chain chain;
    switch (node.kind) {
        case K::kAggregate:
            if (!GroupAggregation::Mergeable(node) || !FindChain(node.input.get(), chain))
                return nullptr;
            return std::make_unique<ParallelAggregateOp>(node, std::move(chain), source, opts);
        case K::kCount:
            if (!FindChain(node.input.get(), chain)) return nullptr;
            return std::make_unique<ParallelCountOp>(node, std::move(chain), source, opts);
        case K::kSort:
        case K::kTop:
            if (!FindChain(node.input.get(), chain)) return nullptr;
            return std::make_unique<ParallelSortOp>(node, std::move(chain), source, opts,
                                                    node.kind == K::kTop ? node.limit : -1);
        case K::kLimit:
            if (node.limit < 0 || !FindChain(node.input.get(), chain)) return nullptr;
            return std::make_unique<ParallelTakeOp>(std::move(chain), source, opts,
                                                    static_cast<size_t>(node.limit), "take");
        default:
            return nullptr;
    }
}

OpPtr MakeParallelRootOp(PlanNode& root, const core::TableSource& source, const ExecOptions& opts,
                         size_t cap) {
    Chain chain;
    if (opts.threads <= 1 || !FindChain(&root, chain)) return nullptr;
    return std::make_unique<ParallelTakeOp>(std::move(chain), source, opts, cap, "the result");
}

}  // namespace calypso::kql
