# Draws the figures of docs/losses/*.md from data computed by TorchLosses (docs/figures/data/*.dat,
# written by tests/TorchLosses.Tests/Docs/FigureTests.cs). Run from docs/figures:
#   gnuplot figures.gp                 SVGs, committed
#   gnuplot -e "fmt='png'" figures.gp  PNGs, for a quick look (not committed)
if (!exists("fmt")) fmt = "svg"
set encoding utf8
if (fmt eq "svg") {
    set terminal svg size 960,400 dynamic enhanced font "Helvetica,14" background rgb "white"
} else {
    set terminal pngcairo size 960,400 enhanced font "Helvetica,12"
}
set grid lc rgb "#dddddd"
set border lc rgb "#555555"
set xzeroaxis lc rgb "#999999"
set linetype 1 lc rgb "#1b9e77" lw 2.5
set linetype 2 lc rgb "#d95f02" lw 2.5
set linetype 3 lc rgb "#7570b3" lw 2.5
set linetype 4 lc rgb "#e7298a" lw 2.5
set linetype 5 lc rgb "#666666" lw 2 dt 2
set key top center samplen 2 spacing 1.1

regression = "data/regression.dat"
set xlabel "d = input − target"
set xrange [-3:3]

set output "smooth-l1.".fmt
set multiplot layout 1,2 title "SmoothL1Loss for several β (β = 0 is L1)"
set ylabel "loss"
set yrange [0:3.2]
plot regression using 1:2 with lines lt 1 title "β = 0", \
     "" using 1:4 with lines lt 2 title "β = 0.5", \
     "" using 1:6 with lines lt 3 title "β = 1", \
     "" using 1:8 with lines lt 4 title "β = 2"
set ylabel "gradient ∂loss/∂input"
set yrange [-1.3:1.5]
set key top left
plot regression using 1:3 with lines lt 1 title "β = 0", \
     "" using 1:5 with lines lt 2 title "β = 0.5", \
     "" using 1:7 with lines lt 3 title "β = 1", \
     "" using 1:9 with lines lt 4 title "β = 2"
unset multiplot
set key top center

set output "huber.".fmt
set multiplot layout 1,2 title "HuberLoss for several δ, and its δ → ∞ limit ½·d² (half of MSE)"
set ylabel "loss"
set yrange [0:4.7]
plot regression using 1:10 with lines lt 2 title "δ = 0.5", \
     "" using 1:12 with lines lt 3 title "δ = 1", \
     "" using 1:14 with lines lt 4 title "δ = 2", \
     "" using 1:16 with lines lt 5 title "½·d²"
set ylabel "gradient ∂loss/∂input"
set yrange [-3.2:3.8]
set key top left
plot regression using 1:11 with lines lt 2 title "δ = 0.5", \
     "" using 1:13 with lines lt 3 title "δ = 1", \
     "" using 1:15 with lines lt 4 title "δ = 2", \
     "" using 1:17 with lines lt 5 title "d"
unset multiplot
set key top center

crossentropy = "data/cross-entropy.dat"
set output "cross-entropy.".fmt
set multiplot layout 1,2 title "CrossEntropyLoss, two classes, logits (z, 0), target class 0"
set xlabel "logit gap z"
set xrange [-6:6]
set ylabel "loss"
set yrange [0:6.5]
set key top right
plot crossentropy using 1:2 with lines lt 1 title "ε = 0", \
     "" using 1:4 with lines lt 2 title "ε = 0.1", \
     "" using 1:6 with lines lt 3 title "ε = 0.3"
set ylabel "gradient ∂loss/∂z"
set yrange [-1.1:0.5]
set key bottom right
plot crossentropy using 1:3 with lines lt 1 title "ε = 0", \
     "" using 1:5 with lines lt 2 title "ε = 0.1", \
     "" using 1:7 with lines lt 3 title "ε = 0.3"
unset multiplot

probabilistic = "data/probabilistic.dat"
set output "probabilistic.".fmt
set multiplot layout 1,2 title "Poisson NLL against the log-rate, Gaussian NLL against the variance"
set xlabel "log-rate x = log λ"
set xrange [-3:3]
set ylabel "PoissonNLLLoss (log input)"
set yrange [-1.2:6]
set key top center
plot probabilistic using 1:2 with lines lt 1 title "y = 0", \
     "" using 1:3 with lines lt 2 title "y = 1", \
     "" using 1:4 with lines lt 3 title "y = 3"
set xlabel "variance v"
set xrange [0:4.1]
set ylabel "GaussianNLLLoss"
set yrange [-0.5:4]
set key top right
plot probabilistic using 5:6 with lines lt 1 title "d = 0.5", \
     "" using 5:7 with lines lt 2 title "d = 1", \
     "" using 5:8 with lines lt 3 title "d = 1.5"
unset multiplot
