using Docket.Bench;

return args.FirstOrDefault() switch
{
    "e2e" => await Run(() => EndToEnd.RunAsync(args[1..])),
    "analysis" => await Run(() => AnalysisBench.RunAsync(args[1..])),
    "fields" => await Run(() => FieldsBench.RunAsync(args[1..])),
    "queue" => await Run(() => QueueBench.RunAsync(args[1..])),
    "queue-worker" => await Run(() => QueueBench.WorkAsync(args[1..])),
    "list" => await Run(() => ListBench.RunAsync(args[1..])),
    "pdf" => await Run(() => PdfBench.RunAsync(args[1..])),
    "ocr" => await Run(() => OcrBench.RunAsync(args[1..])),
    "ocr-accuracy" => await Run(() => OcrAccuracyBench.RunAsync(args[1..])),
    "upload" => await Run(() => UploadBench.RunAsync(args[1..])),
    "suite" => await Suite.RunAsync(args[1..]),
    "sse" => await Run(() => SseBench.RunAsync(args[1..])),
    "sse-floor" => await Run(() => SseFloorBench.RunAsync(args[1..])),
    "sse-floor-sender" => await Run(() => SseFloorBench.SendAsync(args[1..])),
    _ => Usage(),
};

static async Task<int> Run(Func<Task> bench)
{
    await bench();
    return 0;
}

static int Usage()
{
    Console.Error.WriteLine("""
        usage: Docket.Bench e2e [DOCUMENTS] [CLIENTS]               uploads over HTTP until processed (BENCH_MODE=drain: separate worker)
               Docket.Bench analysis [CORPUS] [ROUNDS]              analyse+categorise µs per document; corpus accuracy
               Docket.Bench fields [CORPUS] [ROUNDS]                the field stage's CPU per text invoice, rules alone and with the scorer
               Docket.Bench queue PROVIDER JOBS PROCESSES [SLOTS] [WARMUP]  no-op jobs/s from claim to completion, after WARMUP (= JOBS) jobs (sqlite | postgres)
               Docket.Bench list PROVIDER COUNT                     GET /documents p50/p99 over COUNT seeded documents (sqlite | postgres)
               Docket.Bench pdf [PAGES] [RUNS] [invoice|report|all] [COPY.pdf]  the pipeline on a text PDF against raw pdftotext -layout
               Docket.Bench ocr [LANGUAGES] [DPI] [PARALLEL] [ROUNDS]  OCR pages/s and field accuracy on the labelled scans
               Docket.Bench ocr-accuracy receipts|languages [--half tune|test] [--psm N] [--thresholding N] [--languages L] [--fixed] [--no-noisy-retry] [--plain] [--images DIR] [--details FILE]
                                                                    OCR word accuracy and CPU/page against plain tesseract
               Docket.Bench upload [MB]                             one MB-megabyte text file streamed (and 64 MB): MB/s, server peak RSS
               Docket.Bench suite [--runs N] [--only a,b] [--write FILE]  every scenario N times as processes; medians into FILE
               Docket.Bench sse [STREAMS] [DOCUMENTS/S] [SECONDS]   change-feed fan-out: delivery latency, server RSS and CPU
               Docket.Bench sse-floor [STREAMS] [BYTES] [SENDERS]   the same fan-out as raw socket sends, no server: this machine's floor
        """);
    return 2;
}
