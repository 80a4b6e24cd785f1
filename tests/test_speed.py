"""Tests of snippets/cifar10/speed.py (the training step, CUDA graphs, the warm-up schedules,
the CPU's bfloat16 flags) and of benchmarks/training_speed.py's own logic."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
import torch

from snippets.cifar10 import Net
from snippets.cifar10.speed import (
    GraphedTrainStep,
    adamw_warmup_cosine,
    bf16_cpu_flags,
    train_step,
    warmup_cosine,
)


def test_warmup_rises_linearly_then_decays_to_zero():
    factors = [warmup_cosine(step, 4, 12) for step in range(12)]
    assert factors[:4] == [0.25, 0.5, 0.75, 1.0]
    assert factors[4:] == sorted(factors[4:], reverse=True) and factors[-1] < 0.05
    with pytest.raises(ValueError, match="need 1 <= warmup_steps <= total_steps"):
        warmup_cosine(0, 0, 10)


@pytest.mark.parametrize("autocast", [None, "cpu"])
def test_a_training_step_updates_the_weights(autocast):
    torch.manual_seed(0)
    model = Net()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    before = model.fc3.weight.clone()
    loss = train_step(model, optimizer, torch.randn(8, 3, 32, 32), torch.arange(8), autocast)
    assert loss.dtype == torch.float32 and not torch.equal(model.fc3.weight, before)
    assert model.fc3.weight.dtype == torch.float32  # autocast never changes the weights


def test_a_cuda_graph_needs_a_model_on_a_cuda_device():
    model = Net()
    with pytest.raises(ValueError, match="need a model on a CUDA device, got cpu"):
        GraphedTrainStep(model, torch.optim.SGD(model.parameters(), lr=0.1), batch_size=8)


@pytest.mark.gpu
def test_a_graphed_step_trains_like_an_eager_one():
    torch.manual_seed(0)
    eager, graphed_model = Net().cuda(), Net().cuda()
    graphed_model.load_state_dict(eager.state_dict())
    graphed_model = graphed_model.to(memory_format=torch.channels_last)
    images, labels = torch.randn(16, 3, 32, 32, device="cuda"), torch.arange(16, device="cuda") % 10
    eager_optimizer = torch.optim.SGD(eager.parameters(), lr=0.01, momentum=0.9)
    step = GraphedTrainStep(
        graphed_model, torch.optim.SGD(graphed_model.parameters(), lr=0.01, momentum=0.9), 16
    )
    for _ in range(3):
        eager_loss = train_step(eager, eager_optimizer, images, labels)
        graphed_loss = step(images, labels)
    torch.testing.assert_close(graphed_loss, eager_loss, rtol=1e-3, atol=1e-3)
    with pytest.raises(ValueError, match="captured for batches of"):
        step(images[:8], labels[:8])


def test_adamw_warmup_cosine_sets_each_steps_learning_rate():
    model = Net()
    optimizer, schedule = adamw_warmup_cosine(model, peak_lr=0.01, total_steps=20)
    rates = []
    for _ in range(20):
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        schedule.step()
    assert isinstance(optimizer, torch.optim.AdamW)
    assert rates[:3] == pytest.approx([0.005, 0.01, 0.01 * warmup_cosine(2, 2, 20)])
    assert max(rates) == pytest.approx(0.01) and rates[-1] < 0.0005  # warmed up, decayed
    with pytest.raises(ValueError, match="need peak_lr > 0 and 0 < warmup_share <= 1"):
        adamw_warmup_cosine(model, peak_lr=0.01, total_steps=20, warmup_share=0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "processor\t: 0\nflags\t\t: fpu sse2 avx512f avx512_bf16 amx_bf16\n",
            ["avx512_bf16", "amx_bf16"],
        ),
        ("processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f\n", []),
        ("processor\t: 0\nFeatures\t: fp asimd sve bf16 i8mm\n", ["bf16"]),  # Arm
    ],
)
def test_bf16_cpu_flags_reads_what_the_cpu_lists(tmp_path, text, expected):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(text, encoding="utf-8")
    assert bf16_cpu_flags(cpuinfo) == expected
    assert bf16_cpu_flags(tmp_path / "missing") is None  # no /proc/cpuinfo: not Linux


def load_benchmark():
    """benchmarks/training_speed.py, imported from its file (benchmarks/ is no package)."""
    path = Path(__file__).parents[1] / "benchmarks" / "training_speed.py"
    spec = importlib.util.spec_from_file_location("training_speed", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_the_benchmark_trains_until_the_target_and_times_only_training():
    benchmark = load_benchmark()
    batches = [(torch.zeros(1), torch.zeros(1))] * 10
    steps, checks = [], iter([0.2, 0.5, 0.9])
    seconds, done, reached = benchmark.train_until(
        batches, lambda images, labels: steps.append(1), 0.5, 4, lambda: next(checks)
    )
    assert (done, reached, len(steps)) == (8, 0.5, 8)  # stopped at the 2nd check, 0.5 >= 0.5
    assert seconds >= 0
    _, done, reached = benchmark.train_until(batches, lambda *_: None, 0.99, 4, lambda: 0.3)
    assert (done, reached) == (10, 0.3)  # ran out of batches: the last accuracy, not reached


def test_the_time_to_accuracy_table_compares_each_recipe_with_the_first():
    benchmark = load_benchmark()
    results = [
        benchmark.Reached("the chapters' recipe", 40.0, 2, 0.786),
        benchmark.Reached("fast", 5.0, 0.7, 0.79),
        benchmark.Reached("slow", 9.0, 1, 0.70, reached=False),
    ]
    text = benchmark.accuracy_table("recipe, CPU", results, 10_000, "a test machine")
    assert "| the chapters' recipe | 2 epochs | 40.0 s | 78.6% | 1.0x |" in text
    assert "| fast | 0.75 epochs | 5.0 s | 79.0% | 8.0x |" in text
    assert "| slow | 1 epoch | not reached | 70.0% | - |" in text
    assert "78.6% on the stand-in's 10,000 test images" in text
